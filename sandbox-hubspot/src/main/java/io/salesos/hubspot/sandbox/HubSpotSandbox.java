package io.salesos.hubspot.sandbox;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.salesos.demo.DemoOrg;
import io.salesos.demo.SandboxProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stateful HubSpot CRM v3/v4 portal on a loopback port, for the demo and the tests: it speaks
 * HubSpot's JSON, limits and errors, and gives tests a clock, fault switches and direct access to
 * its records.
 */
public final class HubSpotSandbox implements SandboxProvider.Sandbox {

  private static final Logger LOG = LoggerFactory.getLogger(HubSpotSandbox.class);

  /**
   * How to start a sandbox; {@link #defaults()} gives a professional-tier portal on a free port with
   * salesos's properties in place, keeping its last 50,000 requests for {@link #requests()};
   * {@link #withoutSalesosProperties()} one without them, as a portal looks before {@code salesos
   * schema prepare}.
   */
  public record Options(int port, String token, String tier, RateLimits limits, Duration searchLag,
      SandboxClock clock, boolean bare, boolean keepRequests, String companyCurrency, List<ExchangeRate> exchangeRates) {

    public Options(int port, String token, String tier, RateLimits limits, Duration searchLag, SandboxClock clock,
        boolean bare, boolean keepRequests) {
      this(port, token, tier, limits, searchLag, clock, bare, keepRequests, "USD", List.of());
    }

    public Options {
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(tier, "tier");
      Objects.requireNonNull(limits, "limits");
      Objects.requireNonNull(searchLag, "searchLag");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(companyCurrency, "companyCurrency");
      exchangeRates = List.copyOf(exchangeRates);
    }

    public static Options defaults() {
      return new Options(0, "pat-na1-" + UUID.randomUUID(), "professional", RateLimits.forTier("professional"),
          Duration.ofSeconds(2), SandboxClock.ticking(), false, true);
    }

    /**
     * Keeps no request log: WireMock's log counts all its entries on every request once full, a
     * cost that dominates a long load against a standalone sandbox.
     */
    public Options withoutRequestLog() {
      return new Options(port, token, tier, limits, searchLag, clock, bare, false, companyCurrency, exchangeRates);
    }

    /** Without salesos's custom properties and their group: a portal before `salesos schema prepare`. */
    public Options withoutSalesosProperties() {
      return new Options(port, token, tier, limits, searchLag, clock, true, keepRequests, companyCurrency, exchangeRates);
    }

    public Options withPort(int newPort) {
      return new Options(newPort, token, tier, limits, searchLag, clock, bare, keepRequests, companyCurrency, exchangeRates);
    }

    public Options withTier(String newTier) {
      return new Options(port, token, newTier, RateLimits.forTier(newTier), searchLag, clock, bare, keepRequests, companyCurrency, exchangeRates);
    }

    public Options withLimits(RateLimits newLimits) {
      return new Options(port, token, tier, newLimits, searchLag, clock, bare, keepRequests, companyCurrency, exchangeRates);
    }

    public Options withSearchLag(Duration newLag) {
      return new Options(port, token, tier, limits, newLag, clock, bare, keepRequests, companyCurrency, exchangeRates);
    }

    public Options withClock(SandboxClock newClock) {
      return new Options(port, token, tier, limits, searchLag, newClock, bare, keepRequests, companyCurrency, exchangeRates);
    }

    /**
     * A portal selling in several currencies: {@code company} is the company currency, {@code rates}
     * the other currencies' exchange rates (with the dates they took effect). Deals then accept
     * deal_currency_code among these. The default portal has USD alone.
     */
    public Options withCurrencies(String company, List<ExchangeRate> rates) {
      return new Options(port, token, tier, limits, searchLag, clock, bare, keepRequests, company, rates);
    }

    public Options withToken(String newToken) {
      return new Options(port, newToken, tier, limits, searchLag, clock, bare, keepRequests, companyCurrency, exchangeRates);
    }
  }

  private final Options options;
  private final SandboxState state;
  private final Faults faults = new Faults();
  private final ObjectsEndpoint objects;
  private final HubSpotApi api;
  private final WireMockServer server;

  private HubSpotSandbox(Options options) {
    this.options = options;
    this.state = new SandboxState(options.clock(), options.searchLag(), options.bare());
    state.currencies(options.companyCurrency(), options.exchangeRates());
    this.objects = new ObjectsEndpoint(state, faults);
    faults.journal(state.journal);
    var budget = new RequestBudget(options.limits(), options.clock(), System::nanoTime);
    this.api = new HubSpotApi(state, faults, budget, options.token());
    var config = WireMockConfiguration.options()
        .bindAddress("127.0.0.1")
        .port(options.port())
        // WireMock otherwise writes each answer, body and all, out as JSON for a log line its quiet
        // notifier then drops: a tenth of the sandbox's CPU on list pages
        .stubRequestLoggingDisabled(true)
        .extensions(api);
    this.server = new WireMockServer(options.keepRequests() ? config.maxRequestJournalEntries(50_000)
        : config.disableRequestJournal());
  }

  /** Starts an empty portal (owners, pipeline and property definitions only). */
  public static HubSpotSandbox start(Options options) {
    var sandbox = new HubSpotSandbox(options);
    sandbox.server.start();
    // one catch-all stub: the transformer answers every request from the state
    sandbox.server.stubFor(any(anyUrl()).willReturn(ok()));
    LOG.info("event=sandbox_started crm=hubspot url={} tier={}", sandbox.baseUrl(), options.tier());
    return sandbox;
  }

  @Override
  public String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  public String token() {
    return options.token();
  }

  public String tier() {
    return options.tier();
  }

  public SandboxClock clock() {
    return options.clock();
  }

  public Faults faults() {
    return faults;
  }

  /**
   * Whether the private app's token holds the schema write scopes (crm.schemas.*.write); without
   * them creating a property or a property group answers 403 MISSING_SCOPES, as HubSpot does.
   */
  public HubSpotSandbox schemaWriteScope(boolean granted) {
    api.schemaWriteScope(granted);
    return this;
  }

  @Override
  public Map<String, String> connectionSettings() {
    var m = new LinkedHashMap<String, String>();
    m.put("type", "hubspot");
    m.put("base_url", baseUrl());
    m.put("tier", options.tier());
    m.put("secret.token", options.token());
    return m;
  }

  @Override
  public String describe() {
    return "HubSpot sandbox (CRM v3/v4)\n  base_url: " + baseUrl() + "\n  token:    " + options.token()
        + "\n  tier:     " + options.tier() + "\n  try:      curl -H 'Authorization: Bearer " + options.token()
        + "' '" + baseUrl() + "/crm/v3/objects/deals?limit=5'";
  }

  @Override
  public void close() {
    server.stop();
  }

  /**
   * Puts the portal in a stock portal's shape before it is seeded: two deal pipelines (HubSpot's
   * default sales pipeline with its stage ids and probabilities, and a "Renewals" pipeline with
   * numeric stage ids) and none of the custom input properties a field-sales portal adds. A demo org
   * seeded afterwards stands in those pipelines. Fails once the portal holds deals.
   */
  public HubSpotSandbox stockPortal() {
    state.writing(() -> {
      state.useStockShape();
      return null;
    });
    return this;
  }

  /** Seeds the portal with the demo org; returns HubSpot ids by the demo's own ids. */
  public Map<String, String> seed(DemoOrg org) {
    return state.writing(() -> new DemoSeeder(state).seed(org));
  }

  /**
   * Adds {@code count} deals fast (for large-load tests and benchmarks): deal {@code i} is last
   * modified at {@code firstStamp + i * step}, so a zero step makes them all share one stamp.
   */
  public List<String> fillDeals(int count, Instant firstStamp, Duration step) {
    return state.writing(() -> new DemoSeeder(state).fillDeals(count, firstStamp, step));
  }

  @Override
  public Map<String, Long> summary() {
    var out = new java.util.LinkedHashMap<String, Long>();
    out.put("deals flagged", countWith("deals", "salesos_flags"));
    out.put("deals with an evidence-adjusted category", countWith("deals", "salesos_forecast_category"));
    out.put("tasks created by salesos", countWith("tasks", "salesos_key"));
    out.put("visit meetings planned by salesos", countWith("meetings", "salesos_key"));
    return out;
  }

  private long countWith(String objectType, String property) {
    return ids(objectType).stream()
        .filter(id -> get(objectType, id).flatMap(o -> o.property(property)).filter(v -> !v.isBlank()).isPresent())
        .count();
  }

  public int count(String objectType) {
    return state.reading(() -> table(objectType).count(false));
  }

  public int countArchived(String objectType) {
    return state.reading(() -> table(objectType).count(true));
  }

  public Optional<StoredObject> get(String objectType, String id) {
    return state.reading(() -> ObjectsEndpoint.parseId(id).flatMap(table(objectType)::get));
  }

  /** The ids of the live records of a type, in id order. */
  public List<String> ids(String objectType) {
    return state.reading(() -> {
      var out = new ArrayList<String>();
      for (var o : table(objectType).from(0)) {
        if (!o.archived()) {
          out.add(o.idString());
        }
      }
      return out;
    });
  }

  /** Edits records as a user in HubSpot would: one stamp for all of them, as one batch write gets. */
  public Instant update(String objectType, Collection<String> ids, Map<String, String> properties) {
    return state.writing(() -> {
      var table = table(objectType);
      var stamp = state.now();
      for (var id : ids) {
        var n = ObjectsEndpoint.parseId(id).filter(x -> table.get(x).isPresent())
            .orElseThrow(() -> new IllegalArgumentException("no " + objectType + " with id " + id));
        objects.update(table, n, properties, stamp);
      }
      return stamp;
    });
  }

  /** Archives records as a user deleting them would: their modification stamp stays, archivedAt moves. */
  public Instant archive(String objectType, Collection<String> ids) {
    return state.writing(() -> {
      var table = table(objectType);
      var at = state.now();
      for (var id : ids) {
        ObjectsEndpoint.parseId(id).ifPresent(n -> table.archive(n, at, state.searchLag));
      }
      return at;
    });
  }

  /** The HubSpot ids associated with a record, e.g. the companies of a deal. */
  public List<String> associations(String fromType, String id, String toType) {
    return state.reading(() -> {
      var from = table(fromType).name;
      var to = table(toType).name;
      return state.associationsOf(from, Long.parseLong(id), to).keySet().stream().map(String::valueOf).toList();
    });
  }

  /** How many API requests the sandbox has answered (or refused) since it started; journal file downloads are not counted. */
  public long requestCount() {
    return api.apiRequests.get();
  }

  /** How many of {@link #requestCount()} were the journal's batch reads (exempt from the standard rate limits). */
  public long journalBatchRequests() {
    return api.journalBatchRequests.get();
  }

  /** How many entries the webhooks journal holds now. */
  public int journalEntries() {
    return state.journal.size();
  }

  /**
   * Every request served so far (the last 50,000), oldest first, as "METHOD /path?query"; a sandbox
   * started {@link Options#withoutRequestLog() without a request log} has none to give.
   */
  public List<String> requests() {
    var events = new ArrayList<>(server.getAllServeEvents());
    // WireMock lists newest first
    java.util.Collections.reverse(events);
    return events.stream().map(e -> e.getRequest().getMethod().getName() + " " + e.getRequest().getUrl()).toList();
  }

  /** The bodies of every request served so far whose path starts with {@code pathPrefix}, oldest first. */
  public List<String> requestBodies(String method, String pathPrefix) {
    var events = new ArrayList<>(server.getAllServeEvents());
    // WireMock lists newest first
    java.util.Collections.reverse(events);
    return events.stream()
        .filter(e -> e.getRequest().getMethod().getName().equals(method) && e.getRequest().getUrl().startsWith(pathPrefix))
        .map(e -> e.getRequest().getBodyAsString()).toList();
  }

  public void resetRequests() {
    server.resetRequests();
  }

  private ObjectTable table(String objectType) {
    return state.table(objectType).orElseThrow(() -> new IllegalArgumentException(
        "the sandbox has no object type '" + objectType + "'; known: " + state.tables.keySet()));
  }
}
