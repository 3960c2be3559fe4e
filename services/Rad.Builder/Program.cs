using Rad.Builder;
using Rad.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddBuilder();

var app = builder.Build();
app.MapRadHealth();
app.Run();
