using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using k8s;

namespace ModelOperator.KubeDouble.Tests;

public sealed class DiscoveryTests
{
    [Fact]
    public async Task Discovery_ListsGroupsAndResources_IncludingThoseOfCreatedCrds()
    {
        await using var cluster = await TestCluster.StartAsync();
        await SampleCrd.InstallAsync(cluster.Client);

        var version = await cluster.Client.Version.GetCodeAsync();
        var core = await cluster.Client.CoreV1.GetAPIResourcesAsync();
        var groups = await cluster.Client.Apis.GetAPIVersionsAsync();
        var apps = await cluster.Client.AppsV1.GetAPIResourcesAsync();
        using var http = new HttpClient { BaseAddress = cluster.Server.BaseAddress };
        var widgets = JsonNode.Parse(await http.GetStringAsync("apis/example.com/v1"))!;

        Assert.Equal("1", version.Major);
        Assert.Contains(core.Resources, r => r.Name == "pods" && r.Namespaced);
        Assert.Contains(core.Resources, r => r.Name == "namespaces" && !r.Namespaced);
        Assert.Contains(groups.Groups, g => g.Name == "example.com" && g.PreferredVersion.Version == "v1");
        Assert.Contains(apps.Resources, r => r.Name == "deployments/scale" && r.Kind == "Scale");
        var resources = widgets["resources"]!.AsArray().Select(r => r!["name"]!.ToString()).ToList();
        Assert.Equal(["widgets", "widgets/status", "widgets/scale"], resources);
    }

    [Fact]
    public async Task TableFormat_UsesTheCrdPrinterColumns()
    {
        await using var cluster = await TestCluster.StartAsync();
        await SampleCrd.InstallAsync(cluster.Client);
        var widget = SampleCrd.Widget("w", size: "large", replicas: 3);
        widget["status"] = new JsonObject();
        await SampleCrd.CreateAsync(cluster.Client, widget);
        using var http = new HttpClient { BaseAddress = cluster.Server.BaseAddress };
        http.DefaultRequestHeaders.Accept.ParseAdd("application/json;as=Table;v=v1;g=meta.k8s.io");

        var table = JsonNode.Parse(await http.GetStringAsync("apis/example.com/v1/namespaces/default/widgets"))!;

        Assert.Equal("Table", table["kind"]!.ToString());
        Assert.Equal(["Name", "Size", "Replicas", "Ready", "Age"], table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.ToString()));
        var cells = table["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal(("w", "large", 3L), (cells[0]!.ToString(), cells[1]!.ToString(), (long)cells[2]!));
        Assert.Equal("PartialObjectMetadata", table["rows"]![0]!["object"]!["kind"]!.ToString());
    }

    [Fact]
    public async Task UnknownResource_Is404Status()
    {
        await using var cluster = await TestCluster.StartAsync();
        using var http = new HttpClient { BaseAddress = cluster.Server.BaseAddress };

        var response = await http.GetAsync("apis/example.com/v1/namespaces/default/gadgets");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NotFound", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["reason"]!.ToString());
    }
}
