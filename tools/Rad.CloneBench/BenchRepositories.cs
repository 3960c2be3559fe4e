using System.Diagnostics;
using System.Text;

namespace Rad.CloneBench;

/// <summary>
/// The two repositories measured, made the same way every time: the sample in three commits, and ~50 MB of history
/// (300 commits, each rewriting one of ten 170 kB files of seeded random bytes, so nothing compresses or deltas).
/// Both: tag v1 and branch release behind main, and a commit no ref points at.
/// </summary>
public static class BenchRepositories
{
    public static void Create(string root, string sample)
    {
        var work = Path.Combine(root, "work-sample");
        CopyTree(sample, work);
        Git(work, "init", "-q", "-b", "main");
        for (var i = 0; i < 3; i++)
        {
            File.WriteAllText(Path.Combine(work, "bench.txt"), $"commit {i}\n");
            Git(work, "add", "-A");
            Git(work, "-c", "user.name=rad", "-c", "user.email=rad@localhost", "commit", "-q", "-m", $"sample {i}");
        }
        Git(root, "clone", "-q", "--bare", work, Path.Combine(root, "sample.git"));
        Directory.Delete(work, recursive: true);

        var big = Path.Combine(root, "big.git");
        Git(root, "init", "-q", "--bare", "-b", "main", big);
        var import = Process.Start(new ProcessStartInfo("git", ["-C", big, "fast-import", "--quiet"]) { RedirectStandardInput = true })!;
        var stream = import.StandardInput.BaseStream;
        var random = new Random(42);
        var content = new byte[170_000];
        for (var i = 0; i < 300; i++)
        {
            random.NextBytes(content);
            Write(stream, $"commit refs/heads/main\ncommitter rad <rad@localhost> {1590796800 + i} +0000\ndata 10\nbig {i,6}\n");
            if (i == 0)
                Inline(stream, "rad.json", File.ReadAllBytes(Path.Combine(sample, "rad.json")));
            Inline(stream, $"file{i % 10}.bin", content);
        }
        stream.Close();
        import.WaitForExit();
        Git(big, "repack", "-adq");

        foreach (var bare in new[] { Path.Combine(root, "sample.git"), big })
        {
            Git(bare, "tag", "v1", "main~1");
            Git(bare, "branch", "release", "main~1");
        }
    }

    /// <summary>The tip of main, and a commit that no ref points at.</summary>
    public static (string Advertised, string Unadvertised) Commits(string bare) =>
        (Git(bare, "rev-parse", "main").Trim(), Git(bare, "rev-parse", "main~2").Trim());

    static void Inline(Stream stream, string path, byte[] data)
    {
        Write(stream, $"M 100644 inline {path}\ndata {data.Length}\n");
        stream.Write(data);
        Write(stream, "\n");
    }

    static void Write(Stream stream, string text) => stream.Write(Encoding.UTF8.GetBytes(text));

    public static string Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git", arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["GIT_AUTHOR_DATE"] = start.Environment["GIT_COMMITTER_DATE"] = "2020-05-30T00:00:00Z";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {error}");
    }

    static void CopyTree(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
