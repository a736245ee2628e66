using Orca.Grains.Model;
using Orca.Grains.Scheduling;

namespace Orca.Simulator.Properties;

public static partial class PlacementProperties
{
    /// <summary>14. The spread trees the scheduler keeps across batches place every task where trees built afresh
    /// for each group would: through a first batch, a batch that is never applied, releases and one-task
    /// replacements, nodes going down, coming back, paused and drained, and a scale-up batch.</summary>
    public static string? KeptTreesEqualFresh(CheckCase c, CheckContext ctx)
    {
        var kept = CaseScenario.Cluster(c.Nodes);
        var fresh = CaseScenario.Cluster(c.Nodes, keepTrees: false);
        var rules = c.Services.ToDictionary(s => s.Name, s => PlacementRules.Parse(CaseScenario.Placement(s)));
        var placed = new List<(TaskRequest Task, string NodeId)>();

        string? Step(string what, IReadOnlyList<TaskRequest> batch, bool apply)
        {
            var a = Placement.Place(kept, batch, t => rules[t.Service], ctx.DisabledFilters);
            var b = Placement.Place(fresh, batch, t => rules[t.Service], ctx.DisabledFilters);
            if (Describe(a) != Describe(b)) return $"{what}: kept trees placed {Describe(a)}, fresh trees {Describe(b)}";
            if (!apply) return null;
            a.ApplyTo(kept);
            b.ApplyTo(fresh);
            placed.AddRange(a.Placed);
            return null;
        }

        string? OneByOne(string what, IEnumerable<TaskRequest> tasks)
        {
            foreach (var task in tasks)
                if (Step($"{what} ({task.TaskId})", [task], apply: true) is { } failure) return failure;
            return null;
        }

        void Release(IEnumerable<TaskRequest> tasks)
        {
            foreach (var t in tasks)
            {
                kept.Release(t.TaskId);
                fresh.Release(t.TaskId);
                placed.RemoveAll(p => p.Task.TaskId == t.TaskId);
            }
        }

        IEnumerable<TaskRequest> More(string suffix, int each) =>
            c.Services.SelectMany(s => CaseScenario.Requests(s, each).Select(t => t with { TaskId = $"{t.TaskId}{suffix}" }));

        var failure = Step("the first batch", c.Services.SelectMany(s => CaseScenario.Requests(s, s.Replicas)).ToList(), apply: true)
            ?? Step("a batch never applied", More(".unapplied", 2).ToList(), apply: false);
        if (failure is not null) return failure;

        var replaced = placed.Where((_, i) => i % 3 == 0).Select(p => p.Task).ToList();
        Release(replaced);
        if (OneByOne("a replacement", replaced) is { } f1) return f1;

        // Nodes change: every fourth goes down or comes back, the next is paused or made active again.
        var changed = new List<string>();
        for (int i = 0; i < c.Nodes.Count; i++)
        {
            var n = c.Nodes[i];
            var status = n.Down ? NodeStatus.Down : NodeStatus.Ready;
            var availability = n.Drained ? NodeAvailability.Drain : NodeAvailability.Active;
            if (i % 4 == 0) status = status == NodeStatus.Ready ? NodeStatus.Down : NodeStatus.Ready;
            else if (i % 4 == 1) availability = availability == NodeAvailability.Active ? NodeAvailability.Pause : NodeAvailability.Active;
            else continue;
            var info = new NodeInfo(CaseScenario.Spec(n), status, availability, default);
            kept.Upsert(info);
            fresh.Upsert(info);
            if (status != NodeStatus.Ready || availability != NodeAvailability.Active) changed.Add(n.Id);
        }
        var moved = placed.Where(p => changed.Contains(p.NodeId)).Select(p => p.Task).ToList();
        Release(moved);
        return OneByOne("a task moved off a changed node", moved)
            ?? Step("a scale-up batch", More(".more", 3).ToList(), apply: true)
            ?? OneByOne("one more", More(".last", 1));
    }
}
