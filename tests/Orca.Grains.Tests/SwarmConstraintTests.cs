using Orca.Grains.Model;
using Orca.Grains.Scheduling;

namespace Orca.Grains.Tests;

/// <summary>Swarm constraint matching as SwarmKit does it: the cases of manager/constraint/constraint_test.go
/// (TestParse, TestMatch) and manager/scheduler/constraint_test.go (TestNodeIP, TestEngineLabel,
/// TestMultipleConstraints, platform), on Orca's node description. Where Orca refuses what SwarmKit accepts and then
/// never matches (an unknown field, a malformed address), the case says so. SwarmKit's public example address is
/// written 127.17.9.41 here (the same cases one network over): these are values compared, never dialled.</summary>
public class SwarmConstraintTests
{
    private static NodeSpec Node(string? address = "127.17.9.41", string hostname = "", (string, string)[]? labels = null,
        (string, string)[]? engine = null, string os = "linux", string arch = "x86_64") =>
        new("nodeid-1", new Resources(1000, 1 << 30), (labels ?? []).ToDictionary(l => l.Item1, l => l.Item2),
            NodeRole.Worker, null, new NodeDescription(hostname, os, arch, (engine ?? []).ToDictionary(l => l.Item1, l => l.Item2), address));

    private static bool Matches(string constraint, NodeSpec node) =>
        Assert.IsType<ParsedConstraint.Predicate>(ConstraintParser.Parse(constraint)).Value.Matches(node);

    [Theory] // TestParse: each is refused
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("nodeabc")]
    [InlineData("node ~ abc")]
    [InlineData("1node.labels.a==a2")]
    [InlineData("node.labels.no de==node1")]
    [InlineData("node.labels.no*de==node1")]
    [InlineData("==node1")]
    [InlineData("node.labels.a==")]
    [InlineData("node.labels.a== ")]
    [InlineData("node.labels.no$de==node1")]
    [InlineData("node.labels.a==b<c")]
    [InlineData("node.name==foo")] // SwarmKit parses an unknown field and never matches it; Orca refuses it
    public void RefusedLikeSwarm(string constraint) => Assert.Throws<ConstraintException>(() => ConstraintParser.Parse(constraint));

    [Theory] // TestParse: each is accepted; TestMatch: exact, case-insensitive, special characters taken literally
    [InlineData(" node.labels.name == node1", "node1", true)]
    [InlineData("NoDe.LaBeLs.name==node1", "node1", true)]
    [InlineData("node.labels.name==[a-b]+c*(n|b)/", "[a-b]+c*(n|b)/", true)]
    [InlineData("node.labels.name==node 1", "node 1", true)]
    [InlineData("node.labels.name==foo", "fo", false)]
    [InlineData("node.labels.name==foo", "fooE", false)]
    [InlineData("node.labels.name==foo", "FOO", true)]
    [InlineData("node.labels.name!=foo", "fooExtra", true)]
    [InlineData("node.labels.name==f*o", "foo", false)]
    [InlineData("node.labels.name==f*o", "F*o", true)]
    [InlineData("node.labels.name==f.-$o", "fa-$o", false)]
    [InlineData("node.labels.name==f.-$o", "f.-$o", true)]
    [InlineData("node.labels._node==_node1", null, false)]
    public void MatchesLikeSwarm(string constraint, string? label, bool expected)
    {
        var node = Node(labels: label is null ? [] : [("name", label)]);
        Assert.Equal(expected, Matches(constraint, node));
    }

    [Fact]
    public void TheLabelNameItselfIsCaseSensitive() // constraint.go: "label itself is case sensitive"
    {
        var node = Node(labels: [("Disk", "ssd")]);
        Assert.False(Matches("node.labels.disk==ssd", node));
        Assert.True(Matches("node.labels.Disk==SSD", node));
    }

    [Theory] // TestNodeIP
    [InlineData("127.17.9.41", "node.ip == 127.17.9.41", true)]
    [InlineData("127.17.9.41", "node.ip != 127.17.9.41", false)]
    [InlineData("127.17.9.41", "node.ip == 127.17.9.42", false)]
    [InlineData("127.17.9.41", "node.ip == 127.17.9.4/24", true)]
    [InlineData("127.17.9.41", "node.ip == 127.17.8.41/24", false)]
    [InlineData("127.17.9.41", "node.ip != 0.0.0.0", true)]
    [InlineData("2001:db8::2", "node.ip == 2001:db8::2", true)]
    [InlineData("2001:db8::2", "node.ip == 2001:db8:0::2", true)]
    [InlineData("2001:db8::2", "node.ip != 2001:db8::2/128", false)]
    [InlineData("2001:db8::2", "node.ip == 2001:db8::/64", true)]
    [InlineData("2001:db8::2", "node.ip == 2001:db9::/64", false)]
    [InlineData("2001:db8::2", "node.ip != 2001:db9::/64", true)]
    [InlineData(null, "node.ip == 0.0.0.0", false)]
    [InlineData(null, "node.ip != 0.0.0.0", true)]
    public void NodeIpIsAnAddressOrANetwork(string? address, string constraint, bool expected) =>
        Assert.Equal(expected, Matches(constraint, Node(address)));

    [Theory] // TestNodeIP's malformed cases: SwarmKit accepts them and matches no node; Orca says what is wrong
    [InlineData("node.ip == 127.17.9.41/34")]
    [InlineData("node.ip != 127.17.9.266")]
    [InlineData("node.ip == not_ip_addr")]
    public void AMalformedAddressIsRefused(string constraint)
    {
        var e = Assert.Throws<ConstraintException>(() => ConstraintParser.Parse(constraint));
        Assert.Contains("neither an IP address", e.Message);
    }

    [Fact]
    public void EngineLabelsAreNotNodeLabels() // TestEngineLabel
    {
        Assert.True(Matches("engine.labels.disk != ssd", Node()));
        Assert.True(Matches("engine.labels.disk != ssd", Node(labels: [("disk", "ssd")])));
        Assert.False(Matches("engine.labels.disk != ssd", Node(labels: [("disk", "ssd")], engine: [("disk", "ssd")])));
        Assert.False(Matches("node.labels.security == high", Node(engine: [("security", "high")]))); // TestNodeID
    }

    [Fact]
    public void HostnameAndEngineLabelsTogether() // TestMultipleConstraints
    {
        string[] both = ["node.hostname == node-1", "engine.labels.operatingsystem != Ubuntu 14.04"];
        bool All(NodeSpec n) => both.All(c => Matches(c, n));
        Assert.False(All(Node()));
        Assert.True(All(Node(hostname: "node-1")));
        Assert.False(All(Node(hostname: "node-1", engine: [("operatingsystem", "Ubuntu 14.04")])));
        Assert.False(All(Node(hostname: "node-1", engine: [("operatingsystem", "ubuntu 14.04")])));
        Assert.True(All(Node(hostname: "node-1", engine: [("operatingsystem", "ubuntu 15.04")])));
    }

    [Theory] // platform constraints
    [InlineData("node.platform.os == linux", true)]
    [InlineData("node.platform.os == LINUX", true)]
    [InlineData("node.platform.os == windows", false)]
    [InlineData("node.platform.arch == x86_64", true)]
    [InlineData("node.platform.arch != x86_64", false)]
    [InlineData("node.role == Worker", true)]
    public void PlatformAndRole(string constraint, bool expected) => Assert.Equal(expected, Matches(constraint, Node()));
}
