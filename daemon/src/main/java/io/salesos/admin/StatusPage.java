package io.salesos.admin;

import io.salesos.html.Html;
import com.sun.net.httpserver.HttpExchange;
import io.salesos.admin.StatusQueries.ForecastRow;
import io.salesos.mirror.Database;
import io.salesos.rules.Cadence;
import io.salesos.rules.RuleSet;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The status page a VP of sales and an ops admin open on Monday morning: who is padding the
 * forecast, what each rep should do tomorrow (tasks and the planned route on a map), this week's
 * stalls, visits and capture gaps, the four drift questions, and the sync/outbox health. One
 * self-contained server-rendered HTML page (inline CSS, no script, no outside assets), one source
 * connection at a time ({@code ?source=}).
 */
public final class StatusPage {

  private static final int MAP_ACCOUNTS = 40;

  private final StatusQueries queries;
  private final io.salesos.currency.CurrencyStore currencies;
  // each source's corporate currency, read again at each render of that source's page
  private final java.util.Map<String, Optional<String>> corporate = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<String> configuredSources;
  private final AdminToken token;
  private final Clock clock;
  private final java.util.function.Supplier<Optional<RuleSet>> rules;
  private final Database database;

  StatusPage(Database database, List<String> sources, AdminToken token, Clock clock,
      java.util.function.Supplier<Optional<RuleSet>> rules) {
    this(database, sources, token, clock, rules, new io.salesos.pipeline.ChangeLatency());
  }

  private final io.salesos.pipeline.ChangeLatency latency;

  StatusPage(Database database, List<String> sources, AdminToken token, Clock clock,
      java.util.function.Supplier<Optional<RuleSet>> rules, io.salesos.pipeline.ChangeLatency latency) {
    this.latency = latency;
    this.queries = new StatusQueries(database);
    this.database = database;
    this.currencies = new io.salesos.currency.CurrencyStore(database);
    this.configuredSources = List.copyOf(sources);
    this.token = token;
    this.clock = clock;
    this.rules = rules;
  }

  /** The cadence of the rule set in force (rules/cadence.yaml), or visits at each account's own cadence until one loads. */
  private Cadence cadence() {
    return rules.get().map(RuleSet::cadence).orElse(Cadence.accountVisitsOnly());
  }

  /**
   * Serves the page at {@code /} and the draft approve/reject form at {@code /drafts}. The form is
   * shown, and its POST accepted, only when the server has an admin token (which then also locks
   * the page). {@code sources} orders the source selector (the first is the default); empty means
   * the sources the mirror holds, by name. {@code rules} gives the rule set in force (the
   * pipeline's live set), whose cadence and stall rules the page counts by.
   */
  public static StatusPage register(AdminServer server, Database database, List<String> sources, Clock clock,
      java.util.function.Supplier<Optional<RuleSet>> rules) {
    return register(server, database, sources, clock, rules, new io.salesos.pipeline.ChangeLatency());
  }

  /** As above, with the change-to-flag latency the daemon's pipeline measures, shown per connection. */
  public static StatusPage register(AdminServer server, Database database, List<String> sources, Clock clock,
      java.util.function.Supplier<Optional<RuleSet>> rules, io.salesos.pipeline.ChangeLatency latency) {
    var page = new StatusPage(database, sources, server.token(), clock, rules, latency);
    server.page("/", page::render);
    server.page("/drafts", new DraftActions(database, server, clock)::handle);
    return page;
  }

  AdminServer.Response render(HttpExchange ex) {
    var params = query(ex.getRequestURI().getRawQuery());
    return AdminServer.Response.html(render(params.get("source"), params.get("rep")));
  }

  /** The whole page for {@code source} (or the default), with the map on {@code rep} (or the default). */
  String render(String requestedSource, String requestedRep) {
    var now = clock.instant();
    var sources = sources();
    var source = requestedSource != null && sources.contains(requestedSource) ? requestedSource
        : sources.isEmpty() ? "" : sources.get(0);
    var sb = new StringBuilder(64_000);
    sb.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>salesos status").append(source.isEmpty() ? "" : " · " + Html.esc(source)).append("</title><style>")
        .append(CSS).append("</style></head><body>");
    sb.append("<header><h1>salesos status</h1><nav class=\"sources\">");
    for (var s : sources) {
      sb.append(s.equals(source) ? "<strong>" : "<a href=\"/?source=" + url(s) + "\">").append(Html.esc(s))
          .append(s.equals(source) ? "</strong>" : "</a>");
    }
    sb.append("</nav><span class=\"muted\">as of ").append(Html.stamp(now)).append("</span></header><main>");
    if (source.isEmpty()) {
      sb.append("<p>The mirror holds no source yet: nothing has been pulled. Run <code>./salesos demo</code> or start the daemon.</p>");
      return sb.append("</main></body></html>").toString();
    }
    corporate.put(source, currencies.corporate(source));
    var owners = queries.owners(source);
    var forecast = queries.forecast(source, now);
    var downgrades = queries.downgrades(source);
    forecastSection(sb, source, forecast, owners, downgrades);
    var repOrder = repOrder(forecast, owners);
    tomorrowSection(sb, source, now, owners, repOrder, requestedRep);
    weekSection(sb, source, now, owners, repOrder);
    driftSection(sb, source, now);
    opsSection(sb, source, now);
    sb.append("</main><footer class=\"muted\">salesos · read-only unless an admin token is configured · ")
        .append("<a href=\"/metrics\">metrics</a> · <a href=\"/health\">health</a>")
        .append(token.configured() ? " · <form class=\"logout\" method=\"post\" action=\"/logout\"><button>log out</button></form>" : "")
        .append("</footer></body></html>");
    return sb.toString();
  }

  List<String> sources() {
    var known = new LinkedHashSet<String>(configuredSources);
    known.addAll(queries.sources());
    return List.copyOf(known);
  }

  // ---- 1. who is padding the forecast ----------------------------------------------------------

  private void forecastSection(StringBuilder sb, String source, Optional<StatusQueries.Forecast> forecast,
      Map<String, StatusQueries.Owner> owners, List<StatusQueries.DowngradedDeal> downgrades) {
    sb.append("<section id=\"forecast\"><h2>Forecast: called Commit vs what the evidence supports</h2>");
    if (forecast.isEmpty()) {
      sb.append("<p class=\"empty\">No rules run for ").append(Html.esc(source)).append(" yet, so no forecast snapshot.</p></section>");
      return;
    }
    var f = forecast.get();
    var top = f.reps().stream().filter(r -> r.gap().signum() > 0).findFirst();
    sb.append("<p class=\"headline\">");
    if (top.isPresent()) {
      var r = top.get();
      sb.append("<strong class=\"padder\">").append(Html.esc(r.name())).append("</strong> calls ")
          .append(money(source, r.calledCommit())).append(" Commit; the evidence supports ").append(money(source, r.adjustedCommit()))
          .append(": <strong>").append(money(source, r.gap())).append(" at risk</strong> across ").append(r.downgraded())
          .append(" downgraded deal").append(r.downgraded() == 1 ? "" : "s").append('.');
      f.team().ifPresent(t -> sb.append(" Team: ").append(money(source, t.calledCommit())).append(" called, ")
          .append(money(source, t.adjustedCommit())).append(" supported (").append(StatusQueries.percent(StatusQueries.supportedShare(t)))
          .append(")."));
    } else {
      sb.append("Every rep's called Commit is supported by the evidence.");
    }
    sb.append("</p><p class=\"muted\">").append(Html.esc(f.period())).append(" · rules run ").append(Html.esc(f.runId()))
        .append(" at ").append(Html.stamp(f.takenAt()))
        .append(". Evidence-adjusted: each Commit deal must pass rules/forecast.yaml (recent visit, economic buyer, close date in quarter); ")
        .append("deals that fail count in the category their evidence supports. Sorted by gap: the biggest padder first.</p>");
    currencyNote(sb, source);
    sb.append("<table class=\"forecast\"><thead><tr><th>Rep</th><th>Manager</th><th class=\"n\">Called Commit</th>")
        .append("<th class=\"n\">Evidence-adjusted Commit</th><th class=\"n\">Gap</th><th class=\"n\">Supported</th>")
        .append("<th class=\"n\">Downgraded deals</th><th class=\"n\">Deals this quarter</th>")
        .append("<th class=\"n\">Called Best Case</th>")
        .append("<th class=\"n\">Adjusted Best Case</th></tr></thead><tbody>");
    var maxGap = f.reps().stream().map(ForecastRow::gap).max(BigDecimal::compareTo).orElse(BigDecimal.ONE);
    for (var r : f.reps()) {
      var manager = Optional.ofNullable(owners.get(r.subjectId())).flatMap(StatusQueries.Owner::managerId)
          .map(owners::get).map(StatusQueries.Owner::name).orElse("");
      forecastRow(sb, "rep", r, manager, maxGap, currency(source));
    }
    sb.append("</tbody><tfoot>");
    for (var m : f.managers()) {
      forecastRow(sb, "manager", m, "manager's team", maxGap, currency(source));
    }
    f.team().ifPresent(t -> forecastRow(sb, "team", t, "", maxGap, currency(source)));
    sb.append("</tfoot></table>");
    if (!downgrades.isEmpty()) {
      boolean withWhy = downgrades.stream().anyMatch(d -> !d.flags().isBlank());
      sb.append("<details open><summary>Deals called higher than their evidence (").append(downgrades.size())
          .append(")</summary><table class=\"compact\"><thead><tr><th>Rep</th><th>Deal</th><th class=\"n\">Amount</th>")
          .append("<th>Called</th><th>Evidence supports</th>").append(withWhy ? "<th>Why</th>" : "").append("</tr></thead><tbody>");
      downgrades.stream().limit(8).forEach(d -> sb.append("<tr><td>").append(Html.esc(name(owners, d.ownerId())))
          .append("</td><td>").append(Html.esc(d.name())).append("</td><td class=\"n\">").append(money(source, d.amount()))
          .append("</td><td>").append(Html.esc(d.called())).append("</td><td>").append(Html.esc(d.supported()))
          .append(withWhy ? "</td><td class=\"why\">" + Html.esc(d.flags()) : "").append("</td></tr>"));
      sb.append("</tbody></table>");
      if (downgrades.size() > 8) {
        sb.append("<p class=\"muted\">and ").append(downgrades.size() - 8).append(" more; the drafts below hold each change.</p>");
      }
      sb.append("</details>");
    }
    sb.append("</section>");
  }

  /**
   * Which currency the amounts are in (a multi-currency org's corporate currency, converted with
   * the CRM's own rates), and the deals left out of every total because their currency has no rate.
   */
  private void currencyNote(StringBuilder sb, String source) {
    var settings = currencies.load(source);
    var unconverted = currencies.unconverted(source);
    if (settings.isPresent()) {
      var s = settings.get();
      var others = s.rates().stream().map(io.salesos.spi.CurrencySettings.Rate::isoCode).filter(c -> !c.equals(s.corporate()))
          .distinct().sorted().toList();
      sb.append("<p class=\"muted currency\" data-currency=\"").append(Html.esc(s.corporate())).append("\">Amounts in ")
          .append(Html.esc(s.corporate())).append(", the corporate currency")
          .append(others.isEmpty() ? "" : "; deals in " + Html.esc(String.join(", ", others))
              + " are converted at the CRM's own rates" + (s.rates().stream().anyMatch(io.salesos.spi.CurrencySettings.Rate::dated)
                  ? " (dated rates by close date)" : ""))
          .append(".</p>");
    }
    if (!unconverted.isEmpty()) {
      int n = unconverted.values().stream().mapToInt(Integer::intValue).sum();
      sb.append("<p class=\"bad unconverted\"><strong>").append(n).append(" deal").append(n == 1 ? "" : "s")
          .append(" left out of every total</strong>: ")
          .append(Html.esc(unconverted.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
              .collect(java.util.stream.Collectors.joining(", "))))
          .append(" (no exchange rate for the currency in the CRM; add the rate there and the next pull converts them).</p>");
    }
  }

  private static void forecastRow(StringBuilder sb, String level, ForecastRow r, String context, BigDecimal maxGap,
      Optional<String> currency) {
    var share = StatusQueries.supportedShare(r);
    sb.append("<tr class=\"").append(level).append("\" data-subject=\"").append(Html.esc(r.subjectId())).append("\"><th scope=\"row\">")
        .append(Html.esc(level.equals("team") ? "Team total" : r.name())).append("</th><td>").append(Html.esc(context)).append("</td>")
        .append(money("called-commit", r.calledCommit(), currency)).append(money("adjusted-commit", r.adjustedCommit(), currency));
    int bar = maxGap.signum() <= 0 || r.gap().signum() <= 0 ? 0
        : (int) Math.round(60 * r.gap().doubleValue() / maxGap.doubleValue());
    sb.append("<td class=\"n gap").append(r.gap().signum() > 0 ? " bad" : "").append("\" data-value=\"").append(Html.plain(r.gap()))
        .append("\"><span class=\"bar\" style=\"width:").append(level.equals("rep") ? bar : 0).append("px\"></span>")
        .append(Html.money(r.gap(), currency)).append("</td><td class=\"n").append(share < 0.7 ? " bad" : "").append("\">")
        .append(StatusQueries.percent(share)).append("</td><td class=\"n downgraded\">").append(r.downgraded())
        .append("</td><td class=\"n\">").append(r.deals()).append("</td>")
        .append(money("called-best", r.calledBest(), currency)).append(money("adjusted-best", r.adjustedBest(), currency)).append("</tr>");
  }

  private static String money(String cls, BigDecimal v, Optional<String> currency) {
    return "<td class=\"n " + cls + "\" data-value=\"" + Html.plain(v) + "\">" + Html.money(v, currency) + "</td>";
  }

  /** An amount of {@code source}, in its corporate currency. */
  private String money(String source, BigDecimal v) {
    return Html.money(v, currency(source));
  }

  private Optional<String> currency(String source) {
    return corporate.getOrDefault(source, Optional.empty());
  }

  private static List<String> repOrder(Optional<StatusQueries.Forecast> forecast, Map<String, StatusQueries.Owner> owners) {
    var order = new LinkedHashSet<String>();
    forecast.ifPresent(f -> f.reps().forEach(r -> order.add(r.subjectId())));
    return List.copyOf(order);
  }

  // ---- 2. what each rep should do tomorrow ------------------------------------------------------

  private void tomorrowSection(StringBuilder sb, String source, Instant now, Map<String, StatusQueries.Owner> owners,
      List<String> repOrder, String requestedRep) {
    // each rep's tomorrow is the day after the rep's own today: at 20:00 UTC it is already Friday in Bengaluru
    var zones = new java.util.HashMap<String, java.time.ZoneId>();
    owners.values().forEach(o -> zones.put(o.id(), repZone(source, o)));
    var fallback = orgZone(source);
    java.util.function.Function<String, LocalDate> tomorrowOf = id ->
        LocalDate.ofInstant(now, zones.getOrDefault(id, fallback)).plusDays(1);
    var tasks = queries.openTasks(source).stream().collect(Collectors.groupingBy(StatusQueries.Task::ownerId,
        LinkedHashMap::new, Collectors.toList()));
    var stops = queries.plannedStops(source, now.minus(java.time.Duration.ofDays(1)), now.plus(java.time.Duration.ofDays(3)))
        .stream().filter(s -> LocalDate.ofInstant(s.at(), zones.getOrDefault(s.ownerId(), fallback)).equals(tomorrowOf.apply(s.ownerId())))
        .collect(Collectors.groupingBy(StatusQueries.Stop::ownerId, LinkedHashMap::new, Collectors.toList()));
    var days = stops.keySet().stream().map(tomorrowOf).distinct().toList();
    var tomorrow = days.size() == 1 ? days.get(0) : LocalDate.ofInstant(now, fallback).plusDays(1);
    var reps = new LinkedHashSet<String>(repOrder);
    reps.addAll(stops.keySet());
    reps.addAll(tasks.keySet());
    reps.removeIf(id -> id.isEmpty());
    sb.append("<section id=\"tomorrow\"><h2>What each rep should do tomorrow (")
        .append(days.size() > 1 ? "each rep's own, in the rep's time zone" : tomorrow.toString()).append(")</h2>");
    if (stops.isEmpty()) {
      sb.append("<p class=\"muted\">No visit plans for tomorrow yet: the visit planner writes them as visit activities. ")
          .append("The map shows the rep's accounts by open pipeline until it does.</p>");
    }
    sb.append("<table class=\"tomorrow compact\"><thead><tr><th>Rep</th><th class=\"n\">Stops planned</th>")
        .append("<th class=\"n\">Open tasks</th><th>First things to do</th><th></th></tr></thead><tbody>");
    for (var id : reps) {
      var t = tasks.getOrDefault(id, List.of());
      var s = stops.getOrDefault(id, List.of());
      sb.append("<tr><th scope=\"row\">").append(Html.esc(name(owners, id))).append("</th><td class=\"n\">")
          .append(s.isEmpty() ? "<span class=\"muted\">no plans yet</span>" : String.valueOf(s.size()))
          .append("</td><td class=\"n\">").append(t.size()).append("</td><td>");
      if (t.isEmpty()) {
        sb.append("<span class=\"muted\">nothing open</span>");
      } else {
        sb.append("<ul class=\"tasks\">");
        t.stream().limit(3).forEach(x -> sb.append("<li>").append(x.priority().equalsIgnoreCase("high") ? "<b>!</b> " : "")
            .append(Html.esc(x.subject())).append(x.due().map(d -> " <span class=\"muted\">due " + d + "</span>").orElse(""))
            .append("</li>"));
        sb.append("</ul>");
      }
      sb.append("</td><td><a href=\"/?source=").append(url(source)).append("&amp;rep=").append(url(id))
          .append("#map\">map</a></td></tr>");
    }
    sb.append("</tbody></table>");
    var replans = queries.replans(source, clock.instant());
    if (!replans.isEmpty()) {
      sb.append("<h3 id=\"replans\">Re-planned after a cancelled meeting (last 24 hours)</h3><table class=\"compact replans\">")
          .append("<thead><tr><th>Rep</th><th>Re-planned</th><th>Why</th><th>The rest of the day now</th></tr></thead><tbody>");
      for (var r : replans) {
        sb.append("<tr><th scope=\"row\">").append(Html.esc(name(owners, r.ownerId()))).append("</th><td>")
            .append(Html.stamp(r.at())).append("</td><td>")
            .append(r.cancelled().isEmpty() ? "a booked meeting was cancelled"
                : "cancelled: " + Html.esc(String.join("; ", r.cancelled())))
            .append("</td><td><ol class=\"stops\">");
        r.stops().forEach(x -> sb.append("<li>").append(Html.esc(x)).append("</li>"));
        sb.append("</ol></td></tr>");
      }
      sb.append("</tbody></table>");
    }
    var selected = requestedRep != null && reps.contains(requestedRep) ? requestedRep
        : stops.keySet().stream().findFirst().orElse(reps.stream().findFirst().orElse(""));
    if (!selected.isEmpty()) {
      mapOf(sb, source, owners, selected, stops.getOrDefault(selected, List.of()), tomorrowOf.apply(selected),
          zones.getOrDefault(selected, fallback));
    }
    sb.append("</section>");
  }

  private void mapOf(StringBuilder sb, String source, Map<String, StatusQueries.Owner> owners, String repId,
      List<StatusQueries.Stop> stops, LocalDate day, java.time.ZoneId zone) {
    var owner = owners.get(repId);
    var repName = name(owners, repId);
    var base = Optional.ofNullable(owner).filter(o -> o.baseLat().isPresent() && o.baseLng().isPresent())
        .map(o -> new PlanMap.Point(repName + " (home base)", o.baseLat().get(), o.baseLng().get()));
    var accounts = queries.accountsOf(source, repId, MAP_ACCOUNTS);
    var points = stops.stream().map(s -> new PlanMap.Point(s.account(), s.lat(), s.lng())).toList();
    var accountPoints = accounts.stream().map(a -> new PlanMap.Point(a.name() + " · " + Html.shortMoney(a.pipeline(), currency(source)) + " open",
        a.lat(), a.lng())).toList();
    var title = repName + ": " + (stops.isEmpty() ? "accounts (no plan yet)" : "route for " + day + " (" + zone.getId() + ")");
    sb.append("<div id=\"map\" class=\"plan\"><div><h3>").append(Html.esc(title)).append("</h3>")
        .append(PlanMap.svg(title, base, points, accountPoints))
        .append("<p class=\"muted legend\">■ home base · <span style=\"color:#cf222e\">●</span> planned stop, in order · ")
        .append("<span style=\"color:#8c959f\">●</span> the rep's accounts</p></div><div class=\"reasons\">");
    if (stops.isEmpty()) {
      sb.append("<h3>No plan yet</h3><p>Accounts with the most open pipeline (the planner's first candidates):</p>")
          .append("<table class=\"compact\"><thead><tr><th>Account</th><th class=\"n\">Open pipeline</th></tr></thead><tbody>");
      accounts.stream().limit(8).forEach(a -> sb.append("<tr><td>").append(Html.esc(a.name())).append("</td><td class=\"n\">")
          .append(money(source, a.pipeline())).append("</td></tr>"));
      sb.append("</tbody></table>");
    } else {
      sb.append("<h3>Stops and why</h3><table class=\"compact stops\"><thead><tr><th>#</th><th>When</th><th>Account</th>")
          .append("<th>Reason</th></tr></thead><tbody>");
      for (int i = 0; i < stops.size(); i++) {
        var s = stops.get(i);
        sb.append("<tr><td>").append(i + 1).append("</td><td>")
            .append(s.at().atZone(zone).toLocalTime()).append("</td><td>").append(Html.esc(s.account()))
            .append("</td><td class=\"why\">").append(Html.esc(s.reason())).append("</td></tr>");
      }
      sb.append("</tbody></table>");
    }
    sb.append("</div></div>");
  }

  // ---- 3. this week ------------------------------------------------------------------------------

  private void weekSection(StringBuilder sb, String source, Instant now, Map<String, StatusQueries.Owner> owners,
      List<String> repOrder) {
    sb.append("<section id=\"week\"><h2>This week</h2><div class=\"cols\"><div>");
    stallSection(sb, source, now, owners);
    var visited = queries.visitedThisWeek(source, now, orgZone(source));
    var accounts = visited.stream().map(v -> v.account()).distinct().count();
    sb.append("</div><div><h3>Accounts visited this week (").append(accounts).append(")</h3>");
    if (visited.isEmpty()) {
      sb.append("<p class=\"empty\">No visits logged since Monday.</p>");
    } else {
      sb.append("<table class=\"compact visited\"><thead><tr><th>Account</th><th>City</th><th>Rep</th><th>Last visit</th></tr></thead><tbody>");
      visited.stream().limit(20).forEach(v -> sb.append("<tr><td>").append(Html.esc(v.account())).append("</td><td>")
          .append(Html.esc(v.city())).append("</td><td>").append(Html.esc(name(owners, v.ownerId()))).append("</td><td>")
          .append(Html.stamp(v.at())).append(v.checkedIn() ? "" : " <span class=\"muted\">(no check-in)</span>").append("</td></tr>"));
      sb.append("</tbody></table>");
      if (visited.size() > 20) {
        sb.append("<p class=\"muted\">and ").append(visited.size() - 20).append(" more.</p>");
      }
    }
    sb.append("</div></div>");
    var week = queries.repWeek(source, now, cadence());
    var reps = new LinkedHashSet<String>(repOrder);
    reps.addAll(week.keySet());
    reps.removeIf(id -> id.isEmpty() || !week.containsKey(id));
    var rows = new ArrayList<StatusQueries.RepWeek>();
    reps.forEach(id -> rows.add(week.get(id)));
    rows.sort((a, b) -> Double.compare(a.captured(), b.captured()));
    sb.append("<h3>Capture gap and field activity per rep (last 7 days)</h3><p class=\"muted\">Expected: visits, calls, emails ")
        .append("and meetings at the cadence rules/cadence.yaml sets per vertical, summed over the rep's accounts; captured counts ")
        .append("each kind up to what it expects (as <code>salesos audit capture</code>). Lowest capture first.</p>")
        .append("<table class=\"compact capture\"><thead><tr><th>Rep</th><th class=\"n\">Logged</th><th class=\"n\">Expected</th>")
        .append("<th class=\"n\">Captured</th><th class=\"n\">Meetings per day</th><th class=\"n\">Visits</th>")
        .append("<th class=\"n\">Pipeline per stop</th></tr></thead><tbody>");
    for (var r : rows) {
      double c = r.captured();
      sb.append("<tr><th scope=\"row\">").append(Html.esc(name(owners, r.ownerId()))).append("</th><td class=\"n\">").append(r.logged())
          .append("</td><td class=\"n\">").append(Html.num(Math.round(r.expected() * 10) / 10.0)).append("</td><td class=\"n")
          .append(c < 0.5 ? " bad" : "").append("\">").append(r.expected() <= 0 ? "-" : StatusQueries.percent(Math.min(c, 9.99)))
          .append("</td><td class=\"n\">").append(Html.num(Math.round(r.meetings() / 5.0 * 10) / 10.0)).append("</td><td class=\"n\">")
          .append(r.visits()).append("</td><td class=\"n\">")
          .append(r.visits() == 0 ? "-" : money(source, r.visitedPipeline().divide(BigDecimal.valueOf(r.visits()), 0, java.math.RoundingMode.HALF_UP)))
          .append("</td></tr>");
    }
    sb.append("</tbody></table></section>");
  }

  /** Stalls as the rule set in force defines them (its {@code stall.} follow-up rules); with no set in force, nothing is guessed. */
  private void stallSection(StringBuilder sb, String source, Instant now, Map<String, StatusQueries.Owner> owners) {
    var ruleSet = rules.get();
    if (ruleSet.isEmpty()) {
      sb.append("<h3>Deals stalled in the last 72 hours</h3><p class=\"empty\">No rule set is in force, so there is no stall rule ")
          .append("to count by.</p>");
      return;
    }
    var stalls = queries.stalls(source, now, ruleSet.get());
    if (stalls.ruleIds().isEmpty()) {
      sb.append("<h3>Deals stalled in the last 72 hours</h3><p class=\"empty\">The rule set in force has no stall rule ")
          .append("(a follow-up rule whose id starts with <code>stall.</code>).</p>");
      return;
    }
    var stalled = stalls.recent();
    sb.append("<h3>Deals stalled in the last 72 hours (").append(stalled.size()).append(")</h3>");
    if (stalled.isEmpty()) {
      sb.append("<p class=\"empty\">None newly stalled.</p>");
    } else {
      sb.append("<table class=\"compact stalled\"><thead><tr><th>Deal</th><th>Rep</th><th>Stage</th><th class=\"n\">Amount</th>")
          .append("<th>Why</th></tr></thead><tbody>");
      stalled.stream().limit(20).forEach(d -> sb.append("<tr><td>").append(Html.esc(d.name())).append("</td><td>")
          .append(Html.esc(name(owners, d.ownerId()))).append("</td><td>").append(Html.esc(d.stage())).append("</td><td class=\"n\">")
          .append(money(source, d.amount())).append("</td><td class=\"why\">").append(Html.esc(d.why())).append(" (since ")
          .append(Html.stamp(d.since())).append(")</td></tr>"));
      sb.append("</tbody></table>");
    }
    sb.append("<p class=\"muted stall-total\">").append(stalls.total())
        .append(" open deals are past the stall line in all (rules/follow-up.yaml: ")
        .append(Html.esc(String.join(", ", stalls.ruleIds()))).append(").</p>");
  }

  // ---- 4. drift ----------------------------------------------------------------------------------

  private void driftSection(StringBuilder sb, String source, Instant now) {
    sb.append("<section id=\"drift\"><h2>Drift, week over week</h2><table class=\"compact drift\"><thead><tr><th>Question</th>")
        .append("<th>Measure</th><th class=\"n\">This week</th><th class=\"n\">Last week</th><th></th></tr></thead><tbody>");
    for (var d : queries.drift(source, now)) {
      var arrow = switch (d.direction()) {
        case 1 -> "<span class=\"bad\">▲ worse</span>";
        case -1 -> "<span class=\"good\">▼ better</span>";
        default -> "<span class=\"muted\">=</span>";
      };
      sb.append("<tr").append(d.question().isEmpty() ? "" : " class=\"q\"").append("><th scope=\"row\">").append(Html.esc(d.question()))
          .append("</th><td>").append(Html.esc(d.measure())).append(d.note().isEmpty() ? "" : " <span class=\"muted\">(" + Html.esc(d.note()) + ")</span>")
          .append("</td><td class=\"n\">").append(Html.esc(d.thisWeek())).append("</td><td class=\"n\">").append(Html.esc(d.lastWeek()))
          .append("</td><td>").append(arrow).append("</td></tr>");
    }
    sb.append("</tbody></table></section>");
  }

  // ---- 5. ops ------------------------------------------------------------------------------------

  /** The change stream's state and the change-to-flag latency of one connection, when it streams. */
  private void streamLine(StringBuilder sb, String source, Instant now) {
    var state = io.salesos.sync.StreamFollower.positionOf(database, source);
    var figures = latency.of(source);
    if (state.isEmpty() && figures.isEmpty()) {
      return;
    }
    sb.append("<p class=\"stream\">Change stream: ");
    state.ifPresent(st -> {
      sb.append("read ").append(lag(Math.max(0, java.time.Duration.between(st.updatedAt(), now).toSeconds()))).append(" ago, ")
          .append(Html.num(st.changes())).append(" changes from ").append(Html.num(st.entries())).append(" entries");
      if (st.fallbacks() > 0) {
        sb.append(" · <span class=\"bad\">").append(Html.num(st.fallbacks())).append(" fallback")
            .append(st.fallbacks() == 1 ? "" : "s").append(" to the pull</span>, last ")
            .append(st.lastFallbackAt().map(Html::stamp).orElse("")).append(" (").append(Html.esc(st.lastFallbackKind().orElse("")))
            .append(": ").append(Html.esc(st.lastFallbackReason().orElse(""))).append(')');
      }
    });
    figures.ifPresent(f -> sb.append(" · change-to-flag p50 <strong>").append(seconds(f.p50())).append("</strong>, p95 <strong>")
        .append(seconds(f.p95())).append("</strong> (").append(Html.num(f.count())).append(" changes)"));
    sb.append("</p>");
  }

  private static String seconds(long millis) {
    return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  private void opsSection(StringBuilder sb, String source, Instant now) {
    sb.append("<section id=\"ops\"><h2>Sync and write-back health · ").append(Html.esc(source)).append("</h2>");
    var readiness = queries.readiness(source);
    sb.append("<p class=\"watermark\">Mirror complete up to: <strong>")
        .append(readiness.watermark().map(Html::stamp).orElse("not yet (initial load)")).append("</strong> · rules ")
        .append(readiness.ready() ? "<span class=\"good\">run over it</span>"
            : "<span class=\"bad\">wait: " + Html.esc(readiness.blocked().orElseThrow()) + "</span>")
        .append("</p>");
    streamLine(sb, source, now);
    queries.pause(source).ifPresent(p -> sb.append("<p class=\"paused bad\">Paused: ").append(Html.esc(p.describe()))
        .append(". Nothing is pulled, evaluated or pushed until <code>salesos sync --resume ").append(Html.esc(source))
        .append("</code>.</p>"));
    queries.runsInReview(source).forEach((run, n) -> sb.append("<p class=\"review bad\">Held for review: run <code>")
        .append(Html.esc(run)).append("</code> queued ").append(Html.num(n))
        .append(" writes, over the run limits; nothing of it is sent until <code>salesos outbox release ").append(Html.esc(run))
        .append("</code> (see <code>salesos outbox list --status review</code>).</p>"));
    sb.append("<div class=\"cols\"><div>");
    sb.append("<h3>Sync per object</h3><table class=\"compact sync\"><thead><tr><th>Object</th><th class=\"n\">Records</th>")
        .append("<th>Last pull</th><th class=\"n\">Lag</th><th>Last error</th></tr></thead><tbody>");
    for (var s : queries.sync(source, now)) {
      sb.append("<tr><td>").append(Html.esc(s.object())).append("</td><td class=\"n\">").append(Html.num(s.records()))
          .append("</td><td>").append(s.lastPull().map(Html::stamp).orElse("never")).append("</td><td class=\"n")
          .append(s.lagSeconds().orElse(Long.MAX_VALUE) > 900 ? " bad" : "").append("\">").append(s.lagSeconds().map(StatusPage::lag).orElse("-"))
          .append("</td><td class=\"").append(s.error().isPresent() ? "bad" : "good").append("\">")
          .append(s.error().map(Html::esc).orElse("ok")).append("</td></tr>");
    }
    sb.append("</tbody></table></div><div><h3>Outbox</h3><table class=\"compact outbox\"><tbody>");
    queries.outboxCounts(source).forEach((status, n) -> sb.append("<tr><th scope=\"row\">").append(Html.esc(status))
        .append("</th><td class=\"n").append(java.util.Set.of("dead", "held", "blocked", "review").contains(status) && n > 0 ? " bad" : "").append("\">")
        .append(Html.num(n)).append("</td></tr>"));
    sb.append("</tbody></table></div></div>");
    var drafts = queries.drafts(source, 50);
    long draftCount = queries.draftCount(source);
    sb.append("<h3>Drafts awaiting approval (").append(draftCount).append(")</h3>");
    if (drafts.isEmpty()) {
      sb.append("<p class=\"empty\">Nothing waiting.</p>");
    } else {
      if (token.configured()) {
        sb.append("<form method=\"post\" action=\"/drafts\"><input type=\"hidden\" name=\"source\" value=\"").append(Html.esc(source))
            .append("\">");
      } else {
        sb.append("<p class=\"muted\">Approve or reject with <code>salesos drafts approve|reject</code>; ")
            .append("actions on this page are off until <code>admin.token</code> is configured.</p>");
      }
      sb.append("<table class=\"compact drafts\"><thead><tr>").append(token.configured() ? "<th></th>" : "")
          .append("<th>Id</th><th>Kind</th><th>Rule</th><th>Record</th><th>Writes</th><th>Queued</th></tr></thead><tbody>");
      for (var d : drafts) {
        sb.append("<tr>");
        if (token.configured()) {
          sb.append("<td><input type=\"checkbox\" name=\"id\" value=\"").append(d.id()).append("\"></td>");
        }
        sb.append("<td>").append(d.id()).append("</td><td>").append(Html.esc(d.kind())).append("</td><td>").append(Html.esc(d.rule()))
            .append("</td><td>").append(Html.esc(d.record())).append("</td><td class=\"why\">")
            .append(Html.esc(d.writes().length() > 160 ? d.writes().substring(0, 160) + "…" : d.writes())).append("</td><td>")
            .append(Html.stamp(d.created())).append("</td></tr>");
      }
      sb.append("</tbody></table>");
      if (draftCount > drafts.size()) {
        sb.append("<p class=\"muted\">showing the first ").append(drafts.size()).append(".</p>");
      }
      if (token.configured()) {
        sb.append("<p class=\"actions\"><label>Admin token <input type=\"password\" name=\"token\" autocomplete=\"off\"></label> ")
            .append("<button name=\"action\" value=\"approve\">Approve selected</button> ")
            .append("<button name=\"action\" value=\"reject\">Reject selected</button></p></form>");
      }
    }
    ruleErrors(sb, source);
    sb.append("<div class=\"cols\"><div>");
    var conflicts = queries.conflicts(source, 20);
    sb.append("<h3>Conflicts (").append(queries.conflictCount(source)).append(")</h3>");
    if (conflicts.isEmpty()) {
      sb.append("<p class=\"empty\">None.</p>");
    } else {
      sb.append("<table class=\"compact conflicts\"><thead><tr><th>Record</th><th>Field</th><th>CRM has</th><th>salesos wanted</th>")
          .append("<th>Outcome</th><th>When</th></tr></thead><tbody>");
      conflicts.forEach(c -> sb.append("<tr><td>").append(Html.esc(c.object())).append(' ').append(Html.esc(c.record()))
          .append("</td><td>").append(Html.esc(c.field())).append("</td><td>").append(Html.esc(c.crmValue())).append("</td><td>")
          .append(Html.esc(c.ourValue())).append("</td><td>").append(Html.esc(c.resolution())).append("</td><td>")
          .append(Html.stamp(c.at())).append("</td></tr>"));
      sb.append("</tbody></table>");
    }
    var quarantined = queries.quarantine(source, 20);
    sb.append("</div><div><h3>Quarantined records (")
        .append(queries.count("SELECT COUNT(*) FROM quarantine WHERE source = ? AND resolved_at IS NULL", source)).append(")</h3>");
    if (quarantined.isEmpty()) {
      sb.append("<p class=\"empty\">None.</p>");
    } else {
      sb.append("<table class=\"compact quarantine\"><thead><tr><th>Record</th><th>Reason</th><th class=\"n\">Seen</th><th>Last</th>")
          .append("</tr></thead><tbody>");
      quarantined.forEach(q -> sb.append("<tr><td>").append(Html.esc(q.object())).append(' ').append(Html.esc(q.record()))
          .append("</td><td class=\"why\">").append(Html.esc(q.reason())).append("</td><td class=\"n\">").append(q.occurrences())
          .append("</td><td>").append(Html.stamp(q.lastSeen())).append("</td></tr>"));
      sb.append("</tbody></table>");
    }
    sb.append("</div></div></section>");
  }

  /** The rules that could not be evaluated on some records in the last run: those records got no write from them. */
  private void ruleErrors(StringBuilder sb, String source) {
    var errors = queries.ruleErrors(source);
    var rules = errors.map(StatusQueries.RunErrors::rules).orElse(List.of());
    sb.append("<h3 id=\"rule-errors\">Rules that errored in the last run (")
        .append(Html.num(errors.map(StatusQueries.RunErrors::records).orElse(0L))).append(" records)</h3>");
    if (errors.isEmpty()) {
      sb.append("<p class=\"empty\">No rules run yet.</p>");
      return;
    }
    if (rules.isEmpty()) {
      sb.append("<p class=\"empty\">None: every rule evaluated on every record in ").append(Html.esc(errors.get().runId()))
          .append(".</p>");
      return;
    }
    sb.append("<p class=\"muted\">These records kept their flags, forecast and tasks as they were: the rule could not ")
        .append("judge them. <code>salesos dry-run --errors</code> lists them; <code>salesos explain DEAL</code> shows one.</p>")
        .append("<table class=\"compact rule-errors\"><thead><tr><th>Rule</th><th class=\"n\">Records</th>")
        .append("<th>For example</th><th>Error</th></tr></thead><tbody>");
    for (var r : rules) {
      sb.append("<tr><td>").append(Html.esc(r.ruleId())).append("</td><td class=\"n bad\">").append(Html.num(r.records()))
          .append("</td><td>").append(Html.esc(r.subject())).append(' ').append(Html.esc(r.record()))
          .append("</td><td class=\"why\">").append(Html.esc(r.message())).append("</td></tr>");
    }
    sb.append("</tbody></table>");
  }

  private static String lag(long seconds) {
    if (seconds < 120) {
      return seconds + " s";
    }
    if (seconds < 7200) {
      return seconds / 60 + " min";
    }
    return seconds / 3600 + " h";
  }

  /** The org's zone for {@code source}: its CRM's default zone, else routing.yaml's time_zone, else UTC. */
  private java.time.ZoneId orgZone(String source) {
    var crm = new io.salesos.sync.CrmCalendars(database, clock).of(source).map(io.salesos.sync.CrmCalendars.Stored::calendar);
    return io.salesos.rules.OrgCalendar.orgZone(rules.get().flatMap(RuleSet::routing), crm);
  }

  /** The zone a rep works in, as the planner places the rep (routing.yaml's pin, the CRM's zone, the region's); else the org's. */
  private java.time.ZoneId repZone(String source, StatusQueries.Owner o) {
    var routing = rules.get().flatMap(RuleSet::routing);
    var record = io.salesos.rules.CrmRecord.of(o.id(), "time_zone", o.timeZone().orElse(null), "region", o.region().orElse(null));
    if (routing.isPresent()) {
      return routing.get().zone(record).orElseGet(() -> orgZone(source));
    }
    return o.timeZone().flatMap(io.salesos.rules.RoutingRules::parseZone).orElseGet(() -> orgZone(source));
  }

  private static String name(Map<String, StatusQueries.Owner> owners, String id) {
    var o = owners.get(id);
    return o == null || o.name().isEmpty() ? (id.isEmpty() ? "(no owner)" : id) : o.name();
  }

  static String url(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Decodes a query string or form body; the last value of a repeated key wins. */
  static Map<String, String> query(String raw) {
    var out = new LinkedHashMap<String, String>();
    for (var pair : formPairs(raw)) {
      out.put(pair[0], pair[1]);
    }
    return out;
  }

  static List<String[]> formPairs(String raw) {
    var out = new ArrayList<String[]>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (var part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      var k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      var v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      out.add(new String[] {k, v});
    }
    return out;
  }

  private static final String CSS = """
      body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#24292f;margin:0;background:#fff}
      header{display:flex;gap:18px;align-items:baseline;padding:12px 24px;background:#24292f;color:#fff}
      header h1{font-size:18px;margin:0}header a{color:#9ecbff}header strong{color:#fff;text-decoration:underline}
      nav.sources{display:flex;gap:12px}header .muted{color:#b1bac4;margin-left:auto}
      main{padding:8px 24px 24px;max-width:1280px}
      h2{font-size:17px;margin:22px 0 6px;border-bottom:2px solid #d0d7de;padding-bottom:3px}h3{font-size:14px;margin:12px 0 4px}
      table{border-collapse:collapse;margin:4px 0 8px}th,td{padding:4px 9px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
      thead th{background:#f6f8fa;font-weight:600;font-size:12px;color:#57606a}
      .n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
      table.compact td,table.compact th{padding:3px 7px;font-size:13px}
      .bad{color:#cf222e;font-weight:600}.good{color:#1a7f37}.muted{color:#6e7781}.empty{color:#6e7781;font-style:italic}
      .headline{font-size:16px;background:#fff8c5;border-left:4px solid #d4a72c;padding:8px 12px;margin:8px 0}
      .padder{font-size:18px}
      table.forecast tbody tr:first-child th{color:#cf222e}table.forecast th[scope=row]{white-space:nowrap}
      table.forecast tfoot tr.manager{background:#f6f8fa}table.forecast tfoot tr.team{background:#eaeef2;font-weight:700}
      .gap .bar{display:inline-block;height:9px;background:#ff8182;margin-right:6px;vertical-align:middle}
      .why{color:#57606a;max-width:420px}ul.tasks{margin:0;padding-left:16px}
      .plan{display:flex;gap:20px;flex-wrap:wrap;margin-top:8px}.plan .reasons{flex:1;min-width:320px}
      .cols{display:flex;gap:28px;flex-wrap:wrap}.cols>div{flex:1;min-width:380px}
      tr.q th{padding-top:10px}footer{padding:12px 24px;font-size:12px}
      details summary{cursor:pointer;font-weight:600;margin-top:6px}
      form.logout{display:inline}
      """;
}
