using System.Globalization;
using System.Net;
using System.Text;
using Orca.Simulator.Results;

namespace Orca.Simulator.Plots;

/// <summary>report.html: the summary tables and every plot (the SVG files beside it), in one page that opens anywhere.</summary>
public static class ReportPage
{
    private const int MaxRows = 60;

    public static string Render(RunResults r, IReadOnlyList<(string File, string Title)> plots)
    {
        var s = r.Summary;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append($"<title>Orca report: {E(s.Scenario)} (seed {s.Seed})</title>\n")
            .Append("<style>\nbody{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1180px}\n")
            .Append("table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right;font-size:13px}\n")
            .Append("th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.pass{color:#009E73;font-weight:bold}.fail{color:#D55E00;font-weight:bold}\n")
            .Append("figure{margin:0 0 28px}figcaption{font-size:13px;color:#555}nav a{margin-right:12px}figure img{max-width:100%;height:auto;display:block}\n</style>\n</head>\n<body>\n");
        html.Append($"<h1>{E(s.Scenario)} <small>seed {s.Seed}</small></h1>\n<p class=\"{(s.Passed ? "pass" : "fail")}\">{(s.Passed ? "PASSED" : "FAILED")}</p>\n");
        html.Append(I($"<p>{s.VirtualSeconds:0.###} s of virtual time, {s.Events:N0} events, {s.Messages:N0} grain messages, {s.GrainActivations:N0} activations.</p>\n"));
        html.Append("<nav>").Append(string.Concat(plots.Select(p => $"<a href=\"#{Id(p.File)}\">{E(p.File)}</a>"))).Append("</nav>\n");
        Services(html, s);
        Faults(html, s);
        Expects(html, s);
        if (s.Violations.Count > 0)
            html.Append("<h2>Violations</h2>\n<table><tr><th>invariant</th><th>count</th></tr>")
                .Append(string.Concat(s.Violations.Select(v => I($"<tr><td>{E(v.Key)}</td><td>{v.Value}</td></tr>")))).Append("</table>\n<p>Details: <a href=\"violations.csv\">violations.csv</a></p>\n");
        html.Append("<h2>Plots</h2>\n");
        foreach (var (file, title) in plots)
            html.Append($"<figure id=\"{Id(file)}\">\n<img src=\"{E(file)}\" alt=\"{E(title)}\" width=\"1100\"><figcaption><a href=\"{E(file)}\">{E(file)}</a></figcaption>\n</figure>\n");
        html.Append("<p>Data: <a href=\"summary.json\">summary.json</a>, <a href=\"events.csv\">events.csv</a>, <a href=\"timeseries.csv\">timeseries.csv</a>, ")
            .Append("<a href=\"placements.csv\">placements.csv</a>, <a href=\"nodes.csv\">nodes.csv</a>.</p>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Services(StringBuilder html, SimulationSummary s)
    {
        html.Append("<h2>Services</h2>\n<table><tr><th>service</th><th>desired</th><th>running</th><th>pending</th><th>restarts</th><th>worst converge</th><th>pending reason</th></tr>\n");
        foreach (var svc in s.Services.Take(MaxRows))
            html.Append(I($"<tr><td>{E(svc.Name)}{(svc.Removed ? " (removed)" : "")}</td><td>{svc.Desired}</td><td>{svc.Running}</td><td>{svc.Pending}</td><td>{svc.Restarts}</td><td>{(svc.WorstConvergeSeconds is { } w ? $"{w:0.###} s" : "-")}</td><td style=\"text-align:left\">{E(svc.PendingReason ?? "")}</td></tr>\n"));
        html.Append("</table>\n");
        if (s.Services.Count > MaxRows) html.Append(I($"<p>{s.Services.Count - MaxRows} more services in summary.json.</p>\n"));
    }

    private static void Faults(StringBuilder html, SimulationSummary s)
    {
        if (s.Faults.Count == 0) return;
        html.Append("<h2>Faults and time to converge</h2>\n<table><tr><th>at</th><th>fault</th><th>converged after</th><th>services that lost replicas</th></tr>\n");
        foreach (var f in s.Faults.Take(MaxRows))
            html.Append(I($"<tr><td>{f.AtSeconds:0.###} s</td><td style=\"text-align:left\">{E(f.Fault)}</td><td>{(f.ConvergedAfterSeconds is { } c ? (f.ServicesAffected.Count == 0 ? "no replica lost" : $"{c:0.###} s") : "not converged")}</td><td style=\"text-align:left\">{E(f.ServicesAffected.Count <= 6 ? string.Join(", ", f.ServicesAffected) : $"{f.ServicesAffected.Count} services")}</td></tr>\n"));
        html.Append("</table>\n");
        if (s.Faults.Count > MaxRows) html.Append(I($"<p>{s.Faults.Count - MaxRows} more faults in summary.json.</p>\n"));
    }

    private static void Expects(StringBuilder html, SimulationSummary s)
    {
        if (s.Expects.Count == 0) return;
        html.Append("<h2>Expect rows</h2>\n<table><tr><th>line</th><th>at</th><th>target</th><th>checks</th><th>result</th></tr>\n");
        foreach (var e in s.Expects.Take(MaxRows))
            html.Append(I($"<tr><td>{e.Line}</td><td>{e.AtSeconds:0.###} s</td><td>{E(e.Target)}</td><td style=\"text-align:left\">{E(string.Join("; ", e.Checks))}</td><td class=\"{(e.Passed ? "pass" : "fail")}\">{(e.Passed ? "pass" : "fail")}</td></tr>\n"));
        html.Append("</table>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
    private static string Id(string file) => Path.GetFileNameWithoutExtension(file);
    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
