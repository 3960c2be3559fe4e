using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Rad.FakeKubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

/// <summary>
/// The fake API server against the Kubernetes API reference (API concepts: "Server-Side Apply", "Efficient detection of
/// changes", "Resource versions", "Responses" / Status), with plain HTTP requests, not RAD's client.
/// </summary>
public sealed class FakeApiServerTests : IAsyncLifetime
{
    FakeKubernetesServer _server = null!;
    HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartAsync();
        _http = new HttpClient { BaseAddress = _server.Url };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _server.Token);
        await ApplyAsync("/api/v1/namespaces/shop", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    static string Deployment(string image, int replicas = 1, string selector = "web") => new JsonObject
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "shop" },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = selector } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "web" } },
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = image }) },
            },
        },
    }.ToJsonString();

    Task<HttpResponseMessage> ApplyAsync(string path, string body, string contentType = "application/apply-patch+yaml", string query = "?fieldManager=test")
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return _http.PatchAsync(path + query, content);
    }

    static async Task<JsonObject> JsonAsync(HttpResponseMessage response) => (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    [Fact]
    public async Task Discovery_lists_kinds_with_plural_names_and_scope()
    {
        var core = await JsonAsync(await _http.GetAsync("/api/v1"));
        var apps = await JsonAsync(await _http.GetAsync("/apis/apps/v1"));

        Assert.Equal("APIResourceList", core["kind"]!.GetValue<string>());
        Assert.Contains(core["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "namespaces" && !r["namespaced"]!.GetValue<bool>());
        Assert.Contains(apps["resources"]!.AsArray(), r => r!["kind"]!.GetValue<string>() == "Deployment" && r["name"]!.GetValue<string>() == "deployments" && r["namespaced"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/apis/nothing.example.com/v1")).StatusCode);
    }

    [Fact]
    public async Task Discovery_lists_groups_short_names_and_an_openapi_v3_document_per_group_version()
    {
        var groups = await JsonAsync(await _http.GetAsync("/apis"));
        var core = await JsonAsync(await _http.GetAsync("/api/v1"));
        var index = await JsonAsync(await _http.GetAsync("/openapi/v3"));
        var apps = await JsonAsync(await _http.GetAsync(index["paths"]!["apis/apps/v1"]!["serverRelativeURL"]!.GetValue<string>()));

        Assert.Equal("APIGroupList", groups["kind"]!.GetValue<string>());
        Assert.Contains(groups["groups"]!.AsArray(), g => g!["name"]!.GetValue<string>() == "apps" && g["preferredVersion"]!["groupVersion"]!.GetValue<string>() == "apps/v1");
        Assert.Contains(core["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "services" && r["shortNames"]![0]!.GetValue<string>() == "svc");
        var patch = apps["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!["patch"]!;
        Assert.Equal("Deployment", patch["x-kubernetes-group-version-kind"]!["kind"]!.GetValue<string>());
        Assert.Contains(patch["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "fieldValidation" && p["in"]!.GetValue<string>() == "query");
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/openapi/v3/apis/nothing.example.com/v1")).StatusCode);
    }

    [Fact]
    public async Task A_client_that_asks_for_a_table_gets_the_kinds_columns_and_each_rows_metadata()
    {
        await ApplyAsync("/apis/apps/v1/namespaces/shop/deployments/web", Deployment("web:1", replicas: 2));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/apis/apps/v1/namespaces/shop/deployments");
        request.Headers.Accept.ParseAdd("application/json;as=Table;v=v1;g=meta.k8s.io");
        request.Headers.Accept.ParseAdd("application/json");

        var table = await JsonAsync(await _http.SendAsync(request));

        Assert.Equal(("Table", "meta.k8s.io/v1"), (table["kind"]!.GetValue<string>(), table["apiVersion"]!.GetValue<string>()));
        Assert.Equal(["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images"],
            table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        var row = Assert.Single(table["rows"]!.AsArray())!;
        Assert.Equal(("web", "0/2"), (row["cells"]![0]!.GetValue<string>(), row["cells"]![1]!.GetValue<string>()));
        Assert.Equal("PartialObjectMetadata", row["object"]!["kind"]!.GetValue<string>());
        Assert.Equal("web", row["object"]!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_deleted_namespace_is_terminating_refuses_new_content_and_then_goes_with_everything_in_it()
    {
        await ApplyAsync("/apis/apps/v1/namespaces/shop/deployments/web", Deployment("web:1"));

        var terminating = await JsonAsync(await _http.DeleteAsync("/api/v1/namespaces/shop"));
        using var refused = await ApplyAsync("/apis/apps/v1/namespaces/shop/deployments/other", Deployment("web:1").Replace("\"name\":\"web\",\"namespace\"", "\"name\":\"other\",\"namespace\""));
        var gone = HttpStatusCode.OK;
        for (var attempt = 0; attempt < 50 && gone != HttpStatusCode.NotFound; attempt++)
        {
            await Task.Delay(50);
            using var namespaceNow = await _http.GetAsync("/api/v1/namespaces/shop");
            gone = namespaceNow.StatusCode;
        }

        Assert.Equal("Terminating", terminating["status"]!["phase"]!.GetValue<string>());
        Assert.NotNull(terminating["metadata"]!["deletionTimestamp"]);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("deployments.apps \"other\" is forbidden: unable to create new content in namespace shop because it is being terminated",
            (await JsonAsync(refused))["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Empty(_server.Store.List(ResourceType.Of("Deployment"), "shop"));
    }

    [Fact]
    public async Task Apply_creates_then_updates_and_generation_moves_only_with_the_spec()
    {
        using var created = await ApplyAsync("/apis/apps/v1/namespaces/shop/deployments/web", Deployment("web:1"));
        using var same = await ApplyAsync("/apis/apps/v1/namespaces/shop/deployments/web", Deployment("web:1"));
        using var changed = await ApplyAsync("/apis/apps/v1/namespaces/shop/deployments/web", Deployment("web:2"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        var (first, second, third) = (await JsonAsync(created), await JsonAsync(same), await JsonAsync(changed));
        Assert.Equal(1, first["metadata"]!["generation"]!.GetValue<long>());
        Assert.Equal(1, second["metadata"]!["generation"]!.GetValue<long>());
        Assert.Equal(2, third["metadata"]!["generation"]!.GetValue<long>());
        Assert.True(long.Parse(third["metadata"]!["resourceVersion"]!.GetValue<string>()) > long.Parse(first["metadata"]!["resourceVersion"]!.GetValue<string>()));
        Assert.Equal(first["metadata"]!["uid"]!.GetValue<string>(), third["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal("test", third["metadata"]!["managedFields"]![0]!["manager"]!.GetValue<string>());
        Assert.Equal(600, third["spec"]!["progressDeadlineSeconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task Apply_needs_its_content_type_and_a_field_manager()
    {
        using var mergePatch = await ApplyAsync("/apis/apps/v1/namespaces/shop/deployments/web", Deployment("web:1"), "application/merge-patch+json");
        using var noManager = await ApplyAsync("/apis/apps/v1/namespaces/shop/deployments/web", Deployment("web:1"), query: "");
        using var yaml = await ApplyAsync("/api/v1/namespaces/yaml-ns", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: yaml-ns\n");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, mergePatch.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noManager.StatusCode);
        Assert.Equal("Status", (await JsonAsync(noManager))["kind"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, yaml.StatusCode);
    }

    [Fact]
    public async Task Errors_are_status_objects_with_reason_code_and_causes()
    {
        using var missing = await _http.GetAsync("/apis/apps/v1/namespaces/shop/deployments/nope");
        using var duplicate = await _http.PostAsync("/api/v1/namespaces", new StringContent("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""", Encoding.UTF8, "application/json"));
        using var invalid = await ApplyAsync("/apis/apps/v1/namespaces/shop/deployments/web", Deployment("web:1", selector: "other"));
        using var badNodePort = await ApplyAsync("/api/v1/namespaces/shop/services/web",
            """{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":80}]}}""");
        using var noNamespace = await ApplyAsync("/apis/apps/v1/namespaces/elsewhere/deployments/web", Deployment("web:1").Replace("\"shop\"", "\"elsewhere\""));

        var notFound = await JsonAsync(missing);
        Assert.Equal((404, "Status", "Failure", "NotFound"), ((int)missing.StatusCode, notFound["kind"]!.GetValue<string>(), notFound["status"]!.GetValue<string>(), notFound["reason"]!.GetValue<string>()));
        Assert.Equal("deployments.apps \"nope\" not found", notFound["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("AlreadyExists", (await JsonAsync(duplicate))["reason"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        var cause = (await JsonAsync(invalid))["details"]!["causes"]![0]!;
        Assert.Equal("spec.template.metadata.labels", cause["field"]!.GetValue<string>());
        Assert.Contains("`selector` does not match template `labels`", cause["message"]!.GetValue<string>());
        Assert.Contains("The range of valid ports is 30000-32767", (await JsonAsync(badNodePort))["details"]!["causes"]![0]!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, noNamespace.StatusCode);
        Assert.Equal("namespaces \"elsewhere\" not found", (await JsonAsync(noNamespace))["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_the_token_requests_get_401_and_a_forbidden_namespace_403()
    {
        using var anonymous = new HttpClient { BaseAddress = _server.Url };
        _server.ForbiddenNamespaces["shop"] = true;

        using var unauthorized = await anonymous.GetAsync("/api/v1/namespaces");
        using var forbidden = await ApplyAsync("/apis/apps/v1/namespaces/shop/deployments/web", Deployment("web:1"));

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("Unauthorized", (await JsonAsync(unauthorized))["reason"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("deployments.apps is forbidden: User \"system:serviceaccount:ci:rad\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"shop\"",
            (await JsonAsync(forbidden))["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watch_from_a_list_resource_version_sends_later_changes_in_order_and_bookmarks()
    {
        var list = await JsonAsync(await _http.GetAsync("/apis/apps/v1/namespaces/shop/deployments"));
        var from = list["metadata"]!["resourceVersion"]!.GetValue<string>();
        _server.Scenarios["web"] = Scenario.Stuck;
        await ApplyAsync("/apis/apps/v1/namespaces/shop/deployments/web", Deployment("web:1"));

        var events = await ReadWatchAsync($"/apis/apps/v1/namespaces/shop/deployments?watch=1&resourceVersion={from}&allowWatchBookmarks=true&timeoutSeconds=2");

        Assert.Equal("ADDED", events[0]["type"]!.GetValue<string>());
        Assert.Contains(events, e => e["type"]!.GetValue<string>() == "MODIFIED" && e["object"]!["status"]?["observedGeneration"]?.GetValue<long>() == 1);
        var bookmark = Assert.Single(events.Where(e => e["type"]!.GetValue<string>() == "BOOKMARK").Take(1));
        Assert.Null(bookmark["object"]!["spec"]);
        var versions = events.Where(e => e["type"]!.GetValue<string>() != "BOOKMARK").Select(e => long.Parse(e["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>())).ToList();
        Assert.Equal(versions.Order(), versions);
    }

    [Fact]
    public async Task Watch_from_a_compacted_resource_version_gets_410_gone_as_an_error_event()
    {
        var old = (await JsonAsync(await _http.GetAsync("/api/v1/namespaces")))["metadata"]!["resourceVersion"]!.GetValue<string>();
        await ApplyAsync("/api/v1/namespaces/other", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"other"}}""");
        _server.Store.Compact();

        var events = await ReadWatchAsync($"/api/v1/namespaces?watch=1&resourceVersion={old}&timeoutSeconds=2");

        var error = Assert.Single(events);
        Assert.Equal("ERROR", error["type"]!.GetValue<string>());
        Assert.Equal(410, error["object"]!["code"]!.GetValue<int>());
        Assert.Equal("Expired", error["object"]!["reason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("app=web", "main,canary,blue")]
    [InlineData("app==web,slot=canary", "canary")]
    [InlineData("app=web,!slot", "main")]
    [InlineData("app=web,slot!=canary", "main,blue")]
    [InlineData("slot", "canary,blue")]
    [InlineData("app=web,slot=green", "")]
    public async Task Label_selectors_take_equality_inequality_and_existence_terms(string selector, string expected)
    {
        foreach (var (name, slot) in new[] { ("main", (string?)null), ("canary", "canary"), ("blue", "blue") })
        {
            var labels = new JsonObject { ["app"] = "web" };
            if (slot is not null)
                labels["slot"] = slot;
            var secret = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "shop", ["labels"] = labels } };
            (await ApplyAsync($"/api/v1/namespaces/shop/secrets/{name}", secret.ToJsonString())).EnsureSuccessStatusCode();
        }

        var list = await JsonAsync(await _http.GetAsync($"/api/v1/namespaces/shop/secrets?labelSelector={Uri.EscapeDataString(selector)}"));

        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(),
            list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).Order());
    }

    async Task<List<JsonObject>> ReadWatchAsync(string path)
    {
        using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<JsonObject>();
        while (await reader.ReadLineAsync() is { } line)
            if (line.Length > 0)
                events.Add((JsonObject)JsonNode.Parse(line)!);
        return events;
    }
}
