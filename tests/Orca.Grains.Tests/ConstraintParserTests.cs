using Orca.Grains.Model;
using Orca.Grains.Scheduling;

namespace Orca.Grains.Tests;

public class ConstraintParserTests
{
    private static readonly NodeSpec R1 = Builders.Node("n1", "r1", labels: ("zone", "z1"));
    private static readonly NodeSpec R7 = Builders.Node("n7", "r7", labels: ("zone", "z2"));
    private static readonly NodeSpec Manager = Builders.Node("m1", "r2", role: NodeRole.Manager);

    [Theory]
    [InlineData("node.labels.rack==r1", true, false, false)]
    [InlineData("node.labels.rack!=r1", false, true, true)]
    [InlineData("node.role!=manager", true, true, false)]
    [InlineData("node.role==manager", false, false, true)]
    [InlineData("node.hostname==n7", false, true, false)]
    [InlineData("node.id==m1", false, false, true)]
    [InlineData("node.labels.zone==z1", true, false, false)]
    [InlineData("node.labels.zone!=z1", false, true, true)] // != matches nodes without the label (Swarm)
    [InlineData("rack:LIKE:r[1-4]", true, false, true)]
    [InlineData("rack:UNLIKE:r[1-4]", false, true, false)]
    [InlineData("zone:CLUSTER:z2", false, true, false)]
    [InlineData("zone:IS:z1", true, false, false)]
    [InlineData("zone:UNLIKE:z1", false, true, true)] // UNLIKE passes nodes without the attribute
    public void Predicates(string text, bool r1, bool r7, bool manager)
    {
        var p = Assert.IsType<ParsedConstraint.Predicate>(ConstraintParser.Parse(text)).Value;
        Assert.Equal((r1, r7, manager), (p.Matches(R1), p.Matches(R7), p.Matches(Manager)));
    }

    [Theory]
    [InlineData("rack:UNIQUE", "rack", 1)]
    [InlineData("hostname:UNIQUE", "hostname", 1)]
    [InlineData("rack:MAX_PER:2", "rack", 2)]
    [InlineData("zone:max_per:3", "zone", 3)]
    public void Limits(string text, string attribute, int max)
    {
        var l = Assert.IsType<ParsedConstraint.Limit>(ConstraintParser.Parse(text)).Value;
        Assert.Equal((attribute, max), (l.Attribute.Display, l.MaxPerValue));
    }

    [Theory]
    [InlineData("rack:GROUP_BY")]
    [InlineData("rack:GROUP_BY:3")]
    public void GroupByIsSpread(string text)
    {
        var rules = PlacementRules.Parse(new PlacementSpec([text], []));
        Assert.Equal("rack", Assert.Single(rules.SpreadLevels).Display);
    }

    [Theory]
    [InlineData("", "empty constraint")]
    [InlineData("rack=r1", "expected a Swarm expression")]
    [InlineData("node.label.rack==r1", "unknown field 'node.label.rack'")]
    [InlineData("node.labels.rack==", "missing value after '=='")]
    [InlineData("node.role==boss", "node.role is manager or worker")]
    [InlineData("rack:MAX_PER", "MAX_PER needs a whole number")]
    [InlineData("rack:MAX_PER:0", "MAX_PER needs a whole number")]
    [InlineData("rack:UNIQUE:1", "UNIQUE takes no value")]
    [InlineData("rack:LIKE:r[1-", "is not a valid regular expression")]
    [InlineData("rack:LIKE", "LIKE needs a regular expression")]
    [InlineData("rack:NEAR:r1", "unknown operator 'NEAR'")]
    [InlineData("ra ck:UNIQUE", "is not an attribute name")]
    public void ErrorsSayWhatIsWrong(string text, string expected)
    {
        var e = Assert.Throws<ConstraintException>(() => ConstraintParser.Parse(text));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void SpreadAcceptsBothDialectsAndRejectsNonsense()
    {
        var rules = PlacementRules.Parse(new PlacementSpec([], ["node.labels.zone", "rack", "spread=node.labels.row"]));
        Assert.Equal(["node.labels.zone", "rack", "node.labels.row"], rules.SpreadLevels.Select(a => a.Display));
        var e = Assert.Throws<ConstraintException>(() => PlacementRules.Parse(new PlacementSpec([], ["node.bogus"])));
        Assert.Contains("invalid spread preference 'node.bogus'", e.Message);
    }
}
