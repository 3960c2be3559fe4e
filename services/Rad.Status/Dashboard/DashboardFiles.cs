using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Rad.Status.Dashboard;

/// <summary>
/// The web dashboard: static files (plain HTML, CSS and JavaScript modules, no build step) from the wwwroot folder
/// beside the service's assembly, served at "/" on the API's own origin. The page calls the same /api with the same
/// token rules; the files themselves are public and hold no data.
/// </summary>
public static class DashboardFiles
{
    // Only this origin's scripts and styles, no inline script, no framing: the page shows repository URLs, errors and logs.
    const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication MapDashboard(this WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!Directory.Exists(root))
        {
            app.Logger.LogWarning("No dashboard: {Folder} is missing from this build", root);
            return app;
        }
        var files = new PhysicalFileProvider(root);
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api"), dashboard =>
        {
            dashboard.Use(async (context, next) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                await next(context);
            });
            dashboard.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            dashboard.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                // Always revalidated: a new RAD version's page must never run against an old script.
                OnPrepareResponse = file => file.Context.Response.Headers[HeaderNames.CacheControl] = "no-cache",
            });
        });
        return app;
    }
}
