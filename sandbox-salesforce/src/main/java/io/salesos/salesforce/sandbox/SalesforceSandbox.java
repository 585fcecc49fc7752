package io.salesos.salesforce.sandbox;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.salesos.demo.DemoOrg;
import io.salesos.salesforce.sandbox.OrgStore.Input;
import io.salesos.demo.SandboxProvider;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A stateful Salesforce org on a loopback port that force-wsc (PartnerConnection, BulkConnection)
 * and any SOAP client can log in to: partner SOAP API, Bulk API 1.0 query jobs and the OAuth
 * token endpoint, the Metadata API's custom-field calls, with a Java handle for tests to inject
 * faults, move time and read or edit the org directly.
 *
 * <p>Built on WireMock: one catch-all stub hands every request to a stateful
 * ResponseDefinitionTransformerV2. WireMock carries what the org needs: it inflates force-wsc's
 * gzip request bodies, serves any body (SOAP, broken XML, CSV result files held in memory) and
 * delays responses; request journaling is off, so long loads do not grow memory.
 */
public final class SalesforceSandbox implements SandboxProvider.Sandbox {

  public static final String DEFAULT_API_VERSION = "65.0";

  private final WireMockServer server;
  private final OrgStore store;
  private final Sessions sessions;
  private final SandboxFaults faults;
  private final SoapEndpoint soap;
  private final ChangeEventBus changeEvents;
  private final PubSubEndpoint pubsub;
  private final BulkEndpoint bulk;
  private final Bulk2Endpoint bulk2;
  private final MetadataEndpoint metadata;
  private final SandboxCredentials credentials;
  private final SandboxClock clock;
  private final SigningKey signingKey = new SigningKey();
  private final String apiVersion;
  private final String orgId;

  private SalesforceSandbox(Builder b) {
    this.clock = b.clock;
    this.apiVersion = b.apiVersion;
    this.orgId = IdMinter.to18("00D8d000001SaLS");
    this.credentials = new SandboxCredentials(b.username, b.password, "SANDBOXTOKEN", b.clientId, b.clientSecret);
    this.faults = new SandboxFaults();
    var schema = new OrgSchema(b.bare, b.stock);
    if (b.corporateCurrency != null) {
      var codes = new java.util.ArrayList<String>(List.of(b.corporateCurrency));
      b.rates.keySet().stream().filter(c -> !codes.contains(c)).forEach(codes::add);
      b.dated.forEach(d -> {
        if (!codes.contains(d.isoCode())) {
          codes.add(d.isoCode());
        }
      });
      schema.multiCurrency(codes, b.advancedCurrencyManagement);
    }
    this.store = new OrgStore(schema, clock);
    store.orgCurrency(b.orgCurrency);
    this.sessions = new Sessions(clock, orgId);
    this.changeEvents = new ChangeEventBus(schema, clock, orgId);
    faults.onExpireSessions(sessions::expireAll);
    var gate = new ApiGate(sessions, faults);
    this.soap = new SoapEndpoint(store, sessions, faults, gate, credentials, orgId);
    this.bulk = new BulkEndpoint(store, gate, faults);
    var oauth = new OAuthEndpoint(store, sessions, credentials, orgId, signingKey);
    this.metadata = new MetadataEndpoint(store, gate);
    var transformer = new OrgTransformer(soap, bulk, oauth, metadata, faults);
    this.bulk2 = new Bulk2Endpoint(store, gate, faults);
    transformer.bulk2(bulk2);
    var integrationUser = new HashMap<String, Object>();
    integrationUser.put("Username", b.username);
    integrationUser.put("FirstName", "Integration");
    integrationUser.put("LastName", "User");
    integrationUser.put("Email", b.username);
    integrationUser.put("IsActive", Boolean.TRUE);
    var created = clock.instant().minus(Duration.ofDays(400));
    store.integrationUserId(store.seed("User", integrationUser, created, created).id);
    store.seedOrganization(orgId, "salesos sandbox", "America/Chicago", created);
    if (b.corporateCurrency != null) {
      seedCurrencies(b, created);
    }
    for (var stage : store.schema().stages().stages()) {
      var row = new HashMap<String, Object>();
      row.put("ApiName", stage.label());
      row.put("MasterLabel", stage.label());
      row.put("SortOrder", stage.sortOrder());
      row.put("DefaultProbability", BigDecimal.valueOf(stage.probability()));
      row.put("ForecastCategoryName", stage.forecastCategory());
      // the category's API value: Commit is "Forecast", Best Case "BestCase"
      row.put("ForecastCategory", switch (stage.forecastCategory()) {
        case "Commit" -> "Forecast";
        case "Best Case" -> "BestCase";
        default -> stage.forecastCategory();
      });
      row.put("IsClosed", stage.closed());
      row.put("IsWon", stage.won());
      row.put("IsActive", stage.active());
      store.seed("OpportunityStage", row, created, created);
    }
    if (b.seed != null) {
      new DemoSeeder(store).seed(b.seed);
    }
    // the seed is the org's history: Change Data Capture reports what is committed from now on
    store.capture(changeEvents);
    faults.onChangeEvents(changeEvents);
    this.pubsub = new PubSubEndpoint(changeEvents, sessions, b.pubsubPort);
    this.server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").port(b.port)
        .disableRequestJournal().containerThreads(12)
        // no per-request log line: WireMock would write each answer (whole Bulk result files) out as JSON for it
        .stubRequestLoggingDisabled(true).extensions(transformer));
    server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(OrgTransformer.NAME)));
    server.start();
    transformer.baseUrl(baseUrl());
    pubsub.instanceUrl(baseUrl());
  }

  /** CurrencyType rows (corporate first) and DatedConversionRate rows with NextStartDate derived, as Setup keeps them. */
  private void seedCurrencies(Builder b, Instant created) {
    store.defaultCurrency(b.corporateCurrency);
    var rows = new java.util.LinkedHashMap<String, java.math.BigDecimal>();
    rows.put(b.corporateCurrency, java.math.BigDecimal.ONE);
    b.rates.forEach(rows::putIfAbsent);
    rows.forEach((code, rate) -> {
      var v = new HashMap<String, Object>();
      v.put("IsoCode", code);
      v.put("ConversionRate", rate);
      v.put("DecimalPlaces", code.equals("JPY") ? 0 : 2);
      v.put("IsActive", Boolean.TRUE);
      v.put("IsCorporate", code.equals(b.corporateCurrency));
      store.seed("CurrencyType", v, created, created);
    });
    if (b.advancedCurrencyManagement) {
      var byCode = new java.util.TreeMap<String, java.util.List<DatedRate>>();
      b.dated.forEach(d -> byCode.computeIfAbsent(d.isoCode(), k -> new java.util.ArrayList<>()).add(d));
      for (var list : byCode.values()) {
        list.sort(java.util.Comparator.comparing(DatedRate::startDate));
        for (int i = 0; i < list.size(); i++) {
          var d = list.get(i);
          var v = new HashMap<String, Object>();
          v.put("IsoCode", d.isoCode());
          v.put("ConversionRate", d.rate());
          v.put("StartDate", d.startDate());
          if (i + 1 < list.size()) {
            v.put("NextStartDate", list.get(i + 1).startDate());
          }
          store.seed("DatedConversionRate", v, created, created);
        }
      }
    }
  }

  /** One dated exchange rate (advanced currency management): {@code rate} units per corporate unit from {@code startDate}. */
  public record DatedRate(String isoCode, java.math.BigDecimal rate, java.time.LocalDate startDate) {}

  public static Builder builder() {
    return new Builder();
  }

  /** Options of a sandbox before it starts. */
  public static final class Builder {
    private int port;
    private int pubsubPort;
    private SandboxClock clock = SandboxClock.system();
    private DemoOrg seed;
    private String apiVersion = DEFAULT_API_VERSION;
    private String username = "integration@salesos-sandbox.example";
    private String password = "sandbox-password-1";
    private String clientId = "3MVG9salesosSandboxClientId";
    private String clientSecret = "sandbox-client-secret-1";
    private boolean bare;
    private boolean stock;
    private String corporateCurrency;
    private String orgCurrency = "USD";
    private final Map<String, java.math.BigDecimal> rates = new java.util.LinkedHashMap<>();
    private final List<DatedRate> dated = new java.util.ArrayList<>();
    private boolean advancedCurrencyManagement;

    /** The Pub/Sub API's port (0, the default, picks a free one). */
    public Builder pubsubPort(int port) {
      this.pubsubPort = port;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder clock(SandboxClock clock) {
      this.clock = clock;
      return this;
    }

    public Builder seed(DemoOrg org) {
      this.seed = org;
      return this;
    }

    public Builder apiVersion(String version) {
      this.apiVersion = version;
      return this;
    }

    /**
     * Leaves out the custom fields salesos writes (Opportunity.Salesos_Flags__c and
     * Salesos_Forecast_Category__c, Activity.Salesos_Key__c): an org before {@code salesos schema prepare}.
     */
    public Builder withoutSalesosFields() {
      this.bare = true;
      return this;
    }

    /**
     * Leaves out every custom field: the demo org's input fields ({@code Tier__c},
     * {@code Opening_Hours__c}, {@code Next_Step_Date__c}...) and salesos's own, as in a stock org.
     * The seed keeps only the values of fields the org has.
     */
    public Builder stockOrg() {
      this.stock = true;
      return this;
    }

    /**
     * The one currency of a single-currency org (USD unless set), which getUserInfo names as
     * orgDefaultCurrencyIsoCode; ignored when multi-currency is on.
     */
    public Builder orgCurrency(String isoCode) {
      if (isoCode == null || !isoCode.matches("[A-Z]{3}")) {
        throw new IllegalArgumentException("a currency is a three-letter ISO 4217 code, was " + isoCode);
      }
      this.orgCurrency = isoCode;
      return this;
    }

    /**
     * Turns multi-currency on with {@code corporate} as the corporate currency and {@code rates}
     * (ISO code to ConversionRate: units of that currency per one corporate unit) as CurrencyType
     * rows: Account, Opportunity and User get CurrencyIsoCode, records without one take the
     * corporate currency. Off by default: the demo org keeps one currency.
     */
    public Builder multiCurrency(String corporate, Map<String, java.math.BigDecimal> rates) {
      this.corporateCurrency = corporate;
      this.rates.putAll(rates);
      return this;
    }

    /**
     * Turns advanced currency management on (multi-currency must be on) with these dated rates
     * (DatedConversionRate rows; each one's NextStartDate is the next start of its currency).
     * Opportunities are then converted at the rate in force on their CloseDate.
     */
    public Builder datedRates(List<DatedRate> rates) {
      this.advancedCurrencyManagement = true;
      this.dated.addAll(rates);
      return this;
    }

    public Builder password(String password) {
      this.password = password;
      return this;
    }

    public SalesforceSandbox start() {
      if (advancedCurrencyManagement && corporateCurrency == null) {
        throw new IllegalStateException("dated rates need multi-currency on: call multiCurrency(corporate, rates) first");
      }
      return new SalesforceSandbox(this);
    }
  }

  // ---- connecting ----

  @Override
  public String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  /** The SOAP login endpoint, as a client's authEndpoint. */
  public String loginUrl() {
    return baseUrl() + "/services/Soap/u/" + apiVersion;
  }

  public String username() {
    return credentials.username();
  }

  public String password() {
    return credentials.password();
  }

  public String securityToken() {
    return credentials.securityToken();
  }

  public String clientId() {
    return credentials.clientId();
  }

  public String clientSecret() {
    return credentials.clientSecret();
  }

  /** The PKCS#8 PEM key of the connected app's certificate, for the JWT bearer flow (made on first call). */
  public String jwtPrivateKeyPem() {
    return signingKey.privateKeyPem();
  }

  public String apiVersion() {
    return apiVersion;
  }

  public String orgId() {
    return orgId;
  }

  @Override
  public Map<String, String> connectionSettings() {
    var m = new LinkedHashMap<String, String>();
    m.put("login_url", baseUrl());
    m.put("instance_url", baseUrl());
    m.put("auth", "oauth_client_credentials");
    m.put("api_version", apiVersion);
    m.put("pubsub_url", pubsubUrl());
    m.put("username", credentials.username());
    m.put("secret.password", credentials.password());
    m.put("secret.client_id", credentials.clientId());
    m.put("secret.client_secret", credentials.clientSecret());
    return m;
  }

  @Override
  public String describe() {
    return String.join("\n",
        "Salesforce sandbox org " + orgId + " on " + baseUrl(),
        "  SOAP login URL: " + loginUrl(),
        "  Pub/Sub API:    " + pubsubUrl() + "  (plaintext gRPC; Change Data Capture on /data/ChangeEvents and /data/<Object>ChangeEvent)",
        "  username:       " + credentials.username(),
        "  password:       " + credentials.password() + "   (security token, if your client wants one: "
            + credentials.securityToken() + ")",
        "  OAuth token:    POST " + baseUrl() + "/services/oauth2/token  grant_type=client_credentials",
        "  client id:      " + credentials.clientId(),
        "  client secret:  " + credentials.clientSecret(),
        "  JWT bearer:     iss=client id, sub=username, aud=" + baseUrl()
            + " (the signing key comes from SalesforceSandbox.jwtPrivateKeyPem())",
        "  Bulk API 1.0:   " + baseUrl() + "/services/async/" + apiVersion,
        "  Bulk API 2.0:   " + baseUrl() + "/services/data/v" + apiVersion + "/jobs/query  (query jobs)",
        "  records:        " + recordCounts());
  }

  private String recordCounts() {
    var sb = new StringBuilder();
    for (var o : store.schema().objects()) {
      sb.append(o.name()).append('=').append(store.count(o.name(), false)).append(' ');
    }
    return sb.toString().trim();
  }

  @Override
  public void close() {
    pubsub.close();
    server.stop();
  }

  // ---- test handles ----

  /** Where the org serves the Pub/Sub API (plaintext gRPC on loopback; Salesforce's is TLS on port 7443). */
  public String pubsubUrl() {
    return "http://127.0.0.1:" + pubsub.port();
  }

  /**
   * How often an idle subscription gets an empty keepalive response with the latest replay id
   * (Salesforce: within 270 seconds; the sandbox: 60 by default, and one at once when a
   * subscription starts with nothing to deliver).
   */
  public SalesforceSandbox changeEventKeepalive(Duration every) {
    pubsub.keepalive(every);
    return this;
  }

  /** Selects the objects whose changes publish change events (by default Account, Contact, Lead, Opportunity, Task, Event, User). */
  public SalesforceSandbox changeDataCapture(java.util.Set<String> objects) {
    changeEvents.select(objects);
    return this;
  }

  /** Change events the bus keeps now (72 hours of the sandbox clock). */
  public int changeEventsRetained() {
    return changeEvents.retained();
  }

  public SandboxFaults faults() {
    return faults;
  }

  public SandboxClock clock() {
    return clock;
  }

  /**
   * Whether the integration user may use the Metadata API ("Modify Metadata Through Metadata API
   * Functions" or "Modify All Data"); without it every metadata call fails with INSUFFICIENT_ACCESS.
   */
  public SalesforceSandbox metadataApiPermitted(boolean permitted) {
    metadata.permitted(permitted);
    return this;
  }

  /**
   * Adds a custom field as an admin would in Setup (for example one of the wrong type, for a check
   * to find): {@code setupType} is Text, LongTextArea, Number, Checkbox, Date, DateTime or
   * Picklist (with its values).
   */
  public void createFieldAsAdmin(String sobject, String field, String setupType, String... picklistValues) {
    var type = switch (setupType) {
      case "Picklist" -> "picklist";
      case "Text" -> "string";
      case "LongTextArea" -> "textarea";
      case "Number" -> "double";
      case "Checkbox" -> "boolean";
      case "Date" -> "date";
      case "DateTime" -> "datetime";
      default -> throw new IllegalArgumentException("unsupported Setup type " + setupType);
    };
    var length = type.equals("string") ? 255 : type.equals("textarea") ? 32_768 : 0;
    var def = new OrgSchema.FieldDef(field, field.replace("__c", "").replace('_', ' '), type, true, true, true,
        !type.equals("boolean"), false, false, length, List.of(), List.of(picklistValues), false);
    if (!store.schema().addField(sobject, def)) {
      throw new IllegalArgumentException(sobject + " has a field " + field + " already, or no such object");
    }
  }

  /**
   * Creates a custom object as an admin does in Setup's Object Manager (its API name ends in
   * {@code __c}): Name, OwnerId and the system fields, plus {@code fields}, field API name to
   * Setup type ({@code Text}, {@code LongTextArea}, {@code Number}, {@code Currency}, {@code
   * Percent}, {@code Checkbox}, {@code Date}, {@code DateTime}, {@code Picklist}, or {@code
   * Lookup(Account)}). It is then in describe, SOQL, Bulk queries and DML like any sObject.
   */
  public void createCustomObjectAsAdmin(String apiName, String label, String keyPrefix, Map<String, String> fields) {
    if (!apiName.endsWith("__c")) {
      throw new IllegalArgumentException("a custom object's API name ends in __c: " + apiName);
    }
    var defs = new java.util.ArrayList<OrgSchema.FieldDef>();
    fields.forEach((name, setupType) -> defs.add(customField(name, setupType)));
    if (!store.schema().addCustomObject(apiName, label, keyPrefix, defs)) {
      throw new IllegalArgumentException("the org has an object " + apiName + " or the key prefix " + keyPrefix + " already");
    }
  }

  /**
   * Changes a custom field's type as Setup's "Change Field Type" does: describe reports the new
   * type at once; stored values that read as the new type are converted, the others are lost (as
   * Salesforce warns), without moving SystemModstamp. Answers how many values were lost.
   */
  public int changeFieldTypeAsAdmin(String sobject, String field, String setupType) {
    var def = customField(field, setupType);
    if (store.schema().replaceField(sobject, def).isEmpty()) {
      throw new IllegalArgumentException(sobject + " has no field " + field);
    }
    return store.convertField(sobject, def);
  }

  private static OrgSchema.FieldDef customField(String field, String setupType) {
    if (!field.endsWith("__c")) {
      throw new IllegalArgumentException("a custom field's API name ends in __c: " + field);
    }
    if (setupType.startsWith("Lookup(") && setupType.endsWith(")")) {
      return new OrgSchema.FieldDef(field, field.replace("__c", "").replace('_', ' '), "reference", true, true, true, true, false,
          false, 18, List.of(setupType.substring(7, setupType.length() - 1)), List.of(), false);
    }
    var type = switch (setupType) {
      case "Picklist" -> "picklist";
      case "Text" -> "string";
      case "LongTextArea" -> "textarea";
      case "Number" -> "double";
      case "Currency" -> "currency";
      case "Percent" -> "percent";
      case "Checkbox" -> "boolean";
      case "Date" -> "date";
      case "DateTime" -> "datetime";
      default -> throw new IllegalArgumentException("unsupported Setup type " + setupType);
    };
    var length = type.equals("string") ? 255 : type.equals("textarea") ? 32_768 : 0;
    return new OrgSchema.FieldDef(field, field.replace("__c", "").replace('_', ' '), type, true, true, true,
        !type.equals("boolean"), false, false, length, List.of(), List.of(), false);
  }

  /** The field permissions a permission set deployed through the Metadata API grants: field to {read, edit}. */
  public Map<String, boolean[]> permissionSet(String name) {
    return metadata.permissionSet(name);
  }

  /** Sessions idle longer than this expire (2 hours by default). */
  public SalesforceSandbox sessionTimeout(Duration timeout) {
    sessions.timeout(timeout);
    return this;
  }

  /** Query locators idle longer than this expire (15 minutes by default). */
  public SalesforceSandbox queryLocatorTimeout(Duration timeout) {
    soap.cursorTimeout(timeout);
    return this;
  }

  /** How many rows one Bulk result file holds (10,000 by default). */
  public SalesforceSandbox bulkRowsPerResult(int rows) {
    bulk.rowsPerResult(rows);
    return this;
  }

  /** How many rows a Bulk API 2.0 results request returns when it names no maxRecords (100,000 by default). */
  public SalesforceSandbox bulk2RecordsPerSet(int rows) {
    bulk2.defaultRecordsPerSet(rows);
    return this;
  }

  /**
   * Organization.FiscalYearStartMonth (1 for January, the default): where the org's standard fiscal
   * years and quarters start, for the FISCAL date literals of SOQL and for the Organization row a
   * query reads.
   */
  public SalesforceSandbox fiscalYearStartMonth(int month) {
    store.fiscalYearStartMonth(month);
    return this;
  }

  /** Organization.TimeZoneSidKey, the org's default time zone (America/Chicago unless set, the zone getUserInfo names). */
  public SalesforceSandbox organizationTimeZone(String zone) {
    store.organizationTimeZone(zone);
    return this;
  }

  /** Adds a validation rule: saves of {@code sobject} for which {@code failsWhen} holds fail with FIELD_CUSTOM_VALIDATION_EXCEPTION. */
  public SalesforceSandbox addValidationRule(String sobject, String name, Predicate<Map<String, Object>> failsWhen,
      String message) {
    store.addRule(new OrgStore.ValidationRule(sobject, name, failsWhen, message));
    return this;
  }

  @Override
  public Map<String, Long> summary() {
    var out = new LinkedHashMap<String, Long>();
    out.put("opportunities flagged", store.scan("Opportunity", false).stream()
        .filter(r -> notBlank(r.get("Salesos_Flags__c"))).count());
    out.put("opportunities with an evidence-adjusted category", store.scan("Opportunity", false).stream()
        .filter(r -> notBlank(r.get("Salesos_Forecast_Category__c"))).count());
    out.put("tasks created by salesos", store.scan("Task", false).stream()
        .filter(r -> notBlank(r.get("Salesos_Key__c"))).count());
    out.put("visit events planned by salesos", store.scan("Event", false).stream()
        .filter(r -> notBlank(r.get("Salesos_Key__c"))).count());
    return out;
  }

  private static boolean notBlank(Object v) {
    return v != null && !v.toString().isBlank();
  }

  public int count(String sobject) {
    return store.count(sobject, false);
  }

  /** Live and recycle-bin records. */
  public int countIncludingDeleted(String sobject) {
    return store.count(sobject, true);
  }

  public List<String> ids(String sobject) {
    return store.scan(sobject, false).stream().map(r -> r.id).toList();
  }

  /** A record's fields as the API would return them (wire text), deleted ones included. */
  public Optional<Map<String, String>> get(String id) {
    return store.find(id).map(r -> {
      var m = new LinkedHashMap<String, String>();
      for (var f : r.type.fields()) {
        m.put(f.name(), WireFormat.format(store.read(r, f)));
      }
      return m;
    });
  }

  /** Edits records as a user in the UI would, in one save (one SystemModstamp); fails if any record is rejected. */
  public void editAsUser(List<String> ids, Map<String, Object> fields) {
    for (int from = 0; from < ids.size(); from += 200) {
      var inputs = new ArrayList<Input>();
      for (var id : ids.subList(from, Math.min(ids.size(), from + 200))) {
        inputs.add(new Input(null, id, wire(fields), List.of()));
      }
      check(store.update(inputs, true, store.integrationUserId(), false));
    }
  }

  /**
   * Saves fields as a long transaction does: its rows carry the stamp of when it began
   * ({@code stampedAt}, in the past) but become visible only now, when it commits. A reader that
   * polls by SystemModstamp and trusts its last stamp misses them.
   */
  public void commitLate(List<String> ids, Map<String, Object> fields, Instant stampedAt) {
    var stamp = stampedAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    for (var id : ids) {
      fields.forEach((k, v) -> store.setRaw(id, k, v, stamp));
    }
  }

  /** Creates one record as a user would; returns its id. */
  public String createAsUser(String sobject, Map<String, Object> fields) {
    var out = store.create(List.of(new Input(sobject, null, wire(fields), List.of())), true,
        store.integrationUserId(), false);
    check(out);
    return out.get(0).id();
  }

  /** Deletes records to the recycle bin as a user would. */
  public void deleteAsUser(List<String> ids) {
    for (int from = 0; from < ids.size(); from += 200) {
      check(store.delete(ids.subList(from, Math.min(ids.size(), from + 200)), true, store.integrationUserId(), false));
    }
  }

  private static void check(List<OrgStore.Outcome> outcomes) {
    for (var o : outcomes) {
      if (!o.success()) {
        throw new IllegalStateException("the sandbox rejected the edit: " + o.errors());
      }
    }
  }

  private static Map<String, String> wire(Map<String, Object> fields) {
    var m = new LinkedHashMap<String, String>();
    fields.forEach((k, v) -> m.put(k, WireFormat.format(v)));
    return m;
  }

  /**
   * Seeds {@code n} opportunities fast (no validation) on one account, for large loads: stamps one
   * second apart going back from now, except that the first {@code sharingOneStamp} records all
   * carry the same SystemModstamp, as after a data load. Returns their ids in creation order.
   */
  public List<String> seedOpportunities(int n, int sharingOneStamp) {
    var account = new HashMap<String, Object>();
    account.put("Name", "Bulk Load Holdings");
    account.put("OwnerId", store.integrationUserId());
    var now = store.stampNow();
    var accountId = store.seed("Account", account, now.minus(Duration.ofDays(200)), now.minus(Duration.ofDays(200))).id;
    var shared = now.minus(Duration.ofDays(1));
    var ids = new ArrayList<String>(n);
    var open = store.schema().stages().openLabels();
    var stages = open.subList(0, Math.min(5, open.size())).toArray(String[]::new);
    for (int i = 0; i < n; i++) {
      var v = new HashMap<String, Object>();
      v.put("Name", "Bulk Deal " + (i + 1));
      v.put("AccountId", accountId);
      v.put("OwnerId", store.integrationUserId());
      v.put("StageName", stages[i % stages.length]);
      v.put("Amount", BigDecimal.valueOf(1_000L + (i % 97) * 250L));
      v.put("CloseDate", LocalDate.of(2027, 1, 1).plusDays(i % 180));
      Instant stamp = i < sharingOneStamp ? shared : now.minus(Duration.ofDays(2)).minusSeconds(n - i);
      ids.add(store.seed("Opportunity", v, stamp, stamp).id);
    }
    return ids;
  }
}
