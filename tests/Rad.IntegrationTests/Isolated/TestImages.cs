namespace Rad.IntegrationTests.Isolated;

/// <summary>
/// The images the Testcontainers tests start, as scripts/test-images built and named them in .rad/test-images.env
/// (no image can be pulled on these machines), and the two settings Testcontainers needs against Debian's Docker 20.10.
/// Each is checked before a container starts, so a missing one fails with what to do instead of a pull error.
/// </summary>
public static class TestImages
{
    const string Rerun = "DOCKER_API_VERSION=1.41 TESTCONTAINERS_RYUK_DISABLED=true dotnet test tests/Rad.IntegrationTests -c Release --no-build --filter \"FullyQualifiedName~Isolated\"";

    static readonly Lazy<IReadOnlyDictionary<string, string>> Names = new(ReadNames);

    public static string Postgres => Image("postgres");
    public static string RabbitMq => Image("rabbitmq");

    /// <summary>Throws, saying what to set, unless the environment lets Testcontainers work with this engine.</summary>
    public static void RequireEnvironment()
    {
        var problems = new List<string>();
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_API_VERSION")))
            problems.Add("DOCKER_API_VERSION is not set: Debian's Docker 20.10 answers Testcontainers' default API 1.44 with "
                         + "\"client version 1.44 is too new\"; set DOCKER_API_VERSION=1.41");
        if (Environment.GetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED") != "true")
            problems.Add("TESTCONTAINERS_RYUK_DISABLED is not \"true\": Testcontainers would start its Ryuk reaper, whose image "
                         + "cannot be pulled here; set TESTCONTAINERS_RYUK_DISABLED=true (the tests remove their own containers)");
        if (problems.Count > 0)
            throw new InvalidOperationException(string.Join("; ", problems) + $". scripts/test sets both; by hand: {Rerun}");
    }

    static string Image(string name)
    {
        RequireEnvironment();
        if (!Names.Value.TryGetValue(name, out var image))
            throw new InvalidOperationException($"{EnvFile} names no {name} image: run scripts/test-images (scripts/test runs it).");
        try
        {
            Stack.RunAsync("docker", "image", "inspect", "--format", "{{.Id}}", image).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"image {image} (named in {EnvFile}) is not in the Docker engine: run scripts/test-images. {e.Message}", e);
        }
        return image;
    }

    static string EnvFile => Path.Combine(Environment.GetEnvironmentVariable("RAD_STATE") ?? Path.Combine(Stack.FindRoot(), ".rad"), "test-images.env");

    static IReadOnlyDictionary<string, string> ReadNames()
    {
        if (!File.Exists(EnvFile))
            throw new InvalidOperationException($"{EnvFile} does not exist: run scripts/test-images, which builds the PostgreSQL and RabbitMQ "
                                                + "images these tests start and names them there (scripts/test runs it).");
        return File.ReadAllLines(EnvFile)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim());
    }
}
