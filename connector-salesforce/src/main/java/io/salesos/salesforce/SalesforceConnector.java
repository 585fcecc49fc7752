package io.salesos.salesforce;

import io.salesos.model.UtcStamp;
import io.salesos.spi.FieldCreation;
import io.salesos.spi.FieldPreparation;
import io.salesos.spi.FieldSpec;
import com.sforce.soap.partner.sobject.SObject;
import io.salesos.spi.ApiBudget;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.Connector;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.CurrencySettings;
import io.salesos.spi.ConnectorException.Kind;
import io.salesos.spi.CrmSchema;
import io.salesos.spi.Deletion;
import io.salesos.spi.MalformedRecord;
import io.salesos.spi.PullBatch;
import io.salesos.spi.PullRequest;
import io.salesos.spi.RawRecord;
import io.salesos.spi.StageVocabulary;
import io.salesos.spi.Write;
import io.salesos.spi.WriteResult;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Salesforce connector over force-wsc: describes sObjects, pulls changes by SystemModstamp
 * with an (stamp, Id) keyset cursor (initial loads of large objects through a Bulk API query job),
 * sees deletes through queryAll's IsDeleted rows, and pushes upserts, updates and deletes in
 * calls of 200 with one result per record.
 *
 * <p>A Salesforce transaction stamps its records when it starts and commits later, so the newest
 * seconds may still receive rows. The cursor reads up to the server's clock (a change reaches
 * the mirror at the next poll) and, once caught up, steps back to {@code overlap} before that
 * clock, so the next pull reads the unsettled window again: a late commit is caught there, and
 * rows read twice are unchanged for the mirror.
 *
 * <p>Calls from several threads are safe: each call on the org takes the connector's {@link Turn}
 * for as long as it runs, so a Bulk job's wait between polls does not keep pushes waiting.
 */
final class SalesforceConnector implements Connector {

  private static final Logger log = LoggerFactory.getLogger(SalesforceConnector.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
  private static final int MAX_WRITE = 200;

  private final SalesforceSettings settings;
  private final SalesforceSession session;
  private final Turn turn = new Turn();
  private final BulkQuery bulkQuery;
  private final Map<String, Map<String, String>> soapTypes = new HashMap<>();
  private final java.util.Set<String> absentReported = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** The open Bulk result stream of each object in its initial load. */
  private final Map<String, BulkResultReader> bulkReaders = new HashMap<>();

  SalesforceConnector(SalesforceSettings settings, Clock clock) {
    this.settings = settings;
    this.session = new SalesforceSession(settings, clock);
    this.bulkQuery = new BulkQuery(settings.name(), session, turn, settings.bulkTimeout());
    this.stream = settings.changeDataCapture()
        ? Optional.of(new CdcStream(settings.name(), new StreamOrg(), settings.pubsubUrl(), java.time.Duration.ofSeconds(10),
            java.time.Duration.ofSeconds(1)))
        : Optional.empty();
  }

  private final Optional<CdcStream> stream;
  /** The org's id (the Pub/Sub API's tenantid), read once. */
  private volatile String orgId;

  /** Change Data Capture over the Pub/Sub API when the connection's {@code change_stream} setting is {@code cdc}. */
  @Override
  public Optional<io.salesos.spi.ChangeStream> changeStream() {
    return stream.map(s -> s);
  }

  /** What the stream asks of the connector, each call taking the turn for its own work only. */
  private final class StreamOrg implements CdcStream.Org {
    @Override
    public CdcStream.Auth auth() throws ConnectorException {
      return turn.take(() -> {
        var s = session.pubsubSession();
        if (orgId == null) {
          orgId = session.call("query Organization", (p, b) -> p.query("SELECT Id FROM Organization").getRecords()[0].getId());
        }
        return new CdcStream.Auth(s[0], s[1], orgId);
      });
    }

    @Override
    public void reauthenticate() throws ConnectorException {
      turn.take(() -> {
        session.authenticate();
        return null;
      });
    }

    @Override
    public Optional<List<RawRecord>> read(String object, List<String> fields, List<String> ids) throws ConnectorException {
      return SalesforceConnector.this.read(object, fields, ids);
    }
  }

  @Override
  public String name() {
    return settings.name();
  }

  @Override
  public int maxWriteBatch() {
    return MAX_WRITE;
  }

  @Override
  public ApiBudget limits() {
    return session.budget();
  }

  @Override
  public boolean concurrentCalls() {
    // every call takes the turn itself (see Turn), which lets a Bulk job's wait leave it free
    return true;
  }

  @Override
  public void close() {
    stream.ifPresent(CdcStream::close);
    bulkQuery.abortAll("the connector is closing");
    turn.run(() -> {
      List.copyOf(bulkReaders.keySet()).forEach(this::closeBulkReader);
      session.logout();
    });
  }

  // ---- describe ----

  @Override
  public CrmSchema describe() throws ConnectorException {
    return turn.take(this::describeInTurn);
  }

  private CrmSchema describeInTurn() throws ConnectorException {
    var global = session.call("describeGlobal", (p, b) -> p.describeGlobal());
    var names = Arrays.stream(global.getSobjects()).map(o -> o.getName()).toList();
    var objects = new ArrayList<CrmSchema.CrmObject>();
    for (int from = 0; from < names.size(); from += 100) {
      var chunk = names.subList(from, Math.min(names.size(), from + 100)).toArray(String[]::new);
      var described = session.call("describeSObjects", (p, b) -> p.describeSObjects(chunk));
      for (var d : described) {
        var fields = new ArrayList<CrmSchema.CrmField>();
        var types = new HashMap<String, String>();
        for (var f : d.getFields()) {
          var picklist = f.getPicklistValues() == null ? List.<String>of() : Arrays.stream(f.getPicklistValues())
              .filter(p -> p.isActive()).map(p -> p.getValue()).toList();
          fields.add(new CrmSchema.CrmField(f.getName(), f.getLabel(), f.getType().toString(), f.isUpdateable(),
              f.isExternalId() || f.getName().equals("Id"), f.isCustom(), picklist));
          types.put(f.getName().toLowerCase(), f.getSoapType().name());
        }
        soapTypes.put(d.getName().toLowerCase(), types);
        objects.add(new CrmSchema.CrmObject(d.getName(), d.getLabel(), fields));
      }
    }
    return new CrmSchema(objects);
  }

  // ---- currencies ----

  /**
   * The org's currencies: in a single-currency org (no CurrencyType object) its one currency with
   * no rates (empty when the org names none); else the
   * CurrencyType rows (ConversionRate: units per one unit of the corporate currency) and, with
   * advanced currency management (DatedConversionRate present and filled), the dated rates, which
   * Salesforce applies to opportunities by CloseDate.
   */
  @Override
  public Optional<CurrencySettings> currencies() throws ConnectorException {
    return turn.take(this::currenciesInTurn);
  }

  private Optional<CurrencySettings> currenciesInTurn() throws ConnectorException {
    var global = session.call("describeGlobal", (p, b) -> p.describeGlobal());
    var names = Arrays.stream(global.getSobjects()).map(o -> o.getName().toLowerCase()).collect(java.util.stream.Collectors.toSet());
    if (!names.contains("currencytype")) {
      // a single-currency org: every amount is in the org's one currency, which getUserInfo names
      // (orgDefaultCurrencyIsoCode is set only when multi-currency is off)
      var code = session.call("getUserInfo", (p, b) -> p.getUserInfo().getOrgDefaultCurrencyIsoCode());
      try {
        return code == null || code.isBlank() ? Optional.empty()
            : Optional.of(new CurrencySettings(code, List.of(), CurrencySettings.DatedBy.ALL_DEALS));
      } catch (IllegalArgumentException e) {
        log.warn("event=org_currency_unread source={} reason=\"{}\"", settings.name(), e.getMessage());
        return Optional.empty();
      }
    }
    var typeFields = List.of("IsoCode", "ConversionRate", "IsCorporate", "IsActive", "DecimalPlaces");
    var types = session.call("query CurrencyType", (p, b) -> allRows(p,
        p.query("SELECT " + String.join(", ", typeFields) + " FROM CurrencyType")));
    var rates = new ArrayList<CurrencySettings.Rate>();
    String corporate = null;
    try {
      for (var row : types) {
        var v = values(row, typeFields);
        var code = (String) v.get("IsoCode");
        if ("true".equals(v.get("IsCorporate"))) {
          corporate = code;
        }
        rates.add(CurrencySettings.Rate.undated(code, new BigDecimal((String) v.get("ConversionRate")),
            CurrencySettings.Quote.UNITS_PER_CORPORATE, "true".equals(v.get("IsActive")),
            v.get("DecimalPlaces") == null ? 2 : Integer.parseInt((String) v.get("DecimalPlaces"))));
      }
      if (corporate == null) {
        throw new ConnectorException(ConnectorException.Kind.PERMANENT, settings.name()
            + ": CurrencyType has no row with IsCorporate = true; set the corporate currency in Setup > Company Information > Currencies");
      }
      if (names.contains("datedconversionrate")) {
        var datedFields = List.of("IsoCode", "ConversionRate", "StartDate", "NextStartDate");
        var dated = session.call("query DatedConversionRate", (p, b) -> allRows(p,
            p.query("SELECT " + String.join(", ", datedFields) + " FROM DatedConversionRate ORDER BY IsoCode, StartDate")));
        for (var row : dated) {
          var v = values(row, datedFields);
          var next = (String) v.get("NextStartDate");
          rates.add(new CurrencySettings.Rate((String) v.get("IsoCode"), new BigDecimal((String) v.get("ConversionRate")),
              CurrencySettings.Quote.UNITS_PER_CORPORATE, Optional.of(java.time.LocalDate.parse((String) v.get("StartDate"))),
              next == null || next.isEmpty() ? Optional.empty() : Optional.of(java.time.LocalDate.parse(next)), true, 2));
        }
      }
      return Optional.of(new CurrencySettings(corporate, rates, CurrencySettings.DatedBy.ALL_DEALS));
    } catch (RuntimeException e) {
      throw new ConnectorException(ConnectorException.Kind.PERMANENT, settings.name()
          + ": the org's currency rates could not be read: " + e.getMessage(), e);
    }
  }

  private Map<String, String> typesOf(String object) throws ConnectorException {
    var cached = soapTypes.get(object.toLowerCase());
    if (cached != null) {
      return cached;
    }
    var d = session.call("describeSObject " + object, (p, b) -> p.describeSObject(object));
    var types = new HashMap<String, String>();
    for (var f : d.getFields()) {
      types.put(f.getName().toLowerCase(), f.getSoapType().name());
    }
    soapTypes.put(object.toLowerCase(), types);
    return types;
  }

  // ---- pull ----

  @Override
  public PullBatch pull(PullRequest request) throws ConnectorException {
    var object = checkName(request.crmObject());
    // the fields the org has (a describe, once per object, in its own turn)
    var fields = turn.take(() -> present(object, selected(request.fields()), typesOf(object)));
    var cp = request.checkpoint();
    if (cp.isInitial()) {
      // takes the turn per step: the Bulk job's wait between polls leaves it free
      cp = start(object, fields);
    }
    var from = cp;
    return turn.take(() -> {
      var types = typesOf(object);
      if (from.get("mode").orElse("").equals("bulk")) {
        return pullBulk(object, fields, types, from, request.maxRecords());
      }
      return pullIncremental(object, fields, types, from, request.maxRecords());
    });
  }

  /**
   * The org's fiscal year start month and default time zone from its Organization row (Setup >
   * Fiscal Year and Company Information). A custom fiscal year is not read: its quarters need not be
   * three months, and salesos counts standard quarters from FiscalYearStartMonth.
   */
  @Override
  public Optional<io.salesos.spi.CrmCalendar> calendar() throws ConnectorException {
    var rows = turn.take(() -> session.call("read Organization",
        (p, b) -> p.query("SELECT FiscalYearStartMonth, TimeZoneSidKey FROM Organization")).getRecords());
    if (rows == null || rows.length != 1) {
      throw new ConnectorException(ConnectorException.Kind.PERMANENT, name() + ": the org answered "
          + (rows == null ? 0 : rows.length) + " Organization rows, expected one");
    }
    var month = rows[0].getField("FiscalYearStartMonth");
    int start;
    try {
      start = Integer.parseInt(String.valueOf(month).strip());
    } catch (NumberFormatException e) {
      throw new ConnectorException(ConnectorException.Kind.PERMANENT, name()
          + ": Organization.FiscalYearStartMonth is '" + month + "', not a month number");
    }
    var zone = rows[0].getField("TimeZoneSidKey");
    return Optional.of(new io.salesos.spi.CrmCalendar(start, true,
        Optional.ofNullable(zone).map(String::valueOf)));
  }

  /**
   * The checkpoint an initial load starts from: the SOAP cursor at the epoch for a small object,
   * the result files of a Bulk query job for a large one. A job already under way for the object
   * (this pull's earlier try failed mid-wait) is awaited rather than started again.
   */
  private Checkpoint start(String object, LinkedHashSet<String> fields) throws ConnectorException {
    var columns = String.join(", ", fields);
    var job = turn.take(() -> {
      var underWay = bulkQuery.underWay(object, columns);
      if (underWay.isPresent()) {
        return underWay;
      }
      var count = session.call("count " + object, (p, b) -> p.query("SELECT COUNT() FROM " + object)).getSize();
      var cutoff = serverNow().minus(settings.overlap());
      if (count < settings.bulkThreshold()) {
        log.info("event=initial_load object={} records={} path=soap", object, count);
        return Optional.<BulkQuery.Job>empty();
      }
      log.info("event=initial_load object={} records={} path=bulk", object, count);
      var soql = "SELECT " + columns + " FROM " + object + " WHERE SystemModstamp <= " + cutoff;
      return Optional.of(bulkQuery.submit(object, columns, soql, cutoff));
    });
    if (job.isEmpty()) {
      return Checkpoint.of(Map.of("mode", "incremental", "stamp", Instant.EPOCH.toString(), "id", ""));
    }
    var done = bulkQuery.await(job.get());
    log.info("event=bulk_job_completed object={} job={} results={}", object, done.jobId(), done.resultIds().size());
    return Checkpoint.of(Map.of("mode", "bulk", "job", done.jobId(), "batch", done.batchId(),
        "results", String.join(",", done.resultIds()), "result", "0", "row", "0",
        "cutoff", job.get().cutoff().toString()));
  }

  private PullBatch pullBulk(String object, LinkedHashSet<String> fields, Map<String, String> types, Checkpoint cp,
      int max) throws ConnectorException {
    var results = List.of(cp.get("results").orElse("").split(","));
    int result = Integer.parseInt(cp.get("result").orElse("0"));
    int row = Integer.parseInt(cp.get("row").orElse("0"));
    var cutoff = cp.get("cutoff").orElseThrow();
    if (result >= results.size() || results.get(0).isEmpty()) {
      return new PullBatch(List.of(), List.of(), List.of(), incrementalFrom(cutoff), true);
    }
    var job = cp.get("job").orElseThrow();
    var batch = cp.get("batch").orElseThrow();
    var resultId = results.get(result);
    var records = new ArrayList<RawRecord>();
    var malformed = new ArrayList<MalformedRecord>();
    boolean ended;
    try {
      var reader = bulkReader(object, job, batch, resultId, row);
      var header = reader.header();
      ended = reader.row() < row;
      while (!ended && reader.row() < row + max) {
        var cells = reader.next();
        if (cells.isEmpty()) {
          ended = true;
          break;
        }
        var values = new LinkedHashMap<String, Object>();
        for (int c = 0; c < header.size(); c++) {
          var cell = cells.get().get(c);
          values.put(header.get(c), cell.isEmpty() ? null : cell);
        }
        toRecord(object, values, types, records, malformed);
      }
      if (!ended) {
        // a file that ends right at a page boundary is seen to end here, not by an empty page later
        ended = reader.atEnd();
      }
    } catch (java.io.IOException e) {
      closeBulkReader(object);
      throw new ConnectorException(Kind.TRANSIENT, "reading the Bulk result " + resultId + " of " + object + " failed: "
          + e.getMessage() + "; the next pull reads it again from row " + row, e);
    }
    Checkpoint next;
    if (ended) {
      closeBulkReader(object);
      next = result + 1 < results.size()
          ? cp.with("result", String.valueOf(result + 1)).with("row", "0")
          : incrementalFrom(cutoff);
    } else {
      next = cp.with("row", String.valueOf(row + records.size() + malformed.size()));
    }
    log.info("event=pull object={} path=bulk result={} records={} malformed={}", object, result, records.size(),
        malformed.size());
    return new PullBatch(records, List.of(), malformed, next, true);
  }

  /**
   * The open result stream when it stands at {@code row} of that result file (the usual case: the
   * last pull stopped there); otherwise the file is opened afresh and read up to {@code row}, as
   * after a restart or a failed read.
   */
  private BulkResultReader bulkReader(String object, String job, String batch, String resultId, int row)
      throws ConnectorException, java.io.IOException {
    var open = bulkReaders.get(object);
    if (open != null && open.standsAt(job, batch, resultId, row)) {
      return open;
    }
    closeBulkReader(object);
    var stream = session.call("bulk result " + object, (p, b) -> b.getQueryResultStream(job, batch, resultId));
    var reader = BulkResultReader.open(job, batch, resultId, stream);
    bulkReaders.put(object, reader);
    reader.skip(row);
    return reader;
  }

  private void closeBulkReader(String object) {
    var reader = bulkReaders.remove(object);
    if (reader != null) {
      reader.close();
    }
  }

  private static Checkpoint incrementalFrom(String cutoff) {
    return Checkpoint.of(Map.of("mode", "incremental", "stamp", cutoff, "id", ""));
  }

  private PullBatch pullIncremental(String object, LinkedHashSet<String> fields, Map<String, String> types,
      Checkpoint cp, int max) throws ConnectorException {
    var stamp = Instant.parse(cp.get("stamp").orElse(Instant.EPOCH.toString()));
    var lastId = cp.get("id").orElse("");
    var upper = serverNow();
    var select = new LinkedHashSet<>(fields);
    select.add("IsDeleted");
    var after = lastId.isEmpty() ? "SystemModstamp > " + stamp
        : "(SystemModstamp > " + stamp + " OR (SystemModstamp = " + stamp + " AND Id > '" + checkId(lastId) + "'))";
    var soql = "SELECT " + String.join(", ", select) + " FROM " + object + " WHERE " + after
        + " AND SystemModstamp <= " + upper + " ORDER BY SystemModstamp, Id LIMIT " + max;
    var rows = session.call("queryAll " + object, (p, b) -> {
      p.setQueryOptions(Math.max(200, Math.min(2000, max)));
      return allRows(p, p.queryAll(soql));
    });
    var records = new ArrayList<RawRecord>();
    var deletions = new ArrayList<Deletion>();
    var malformed = new ArrayList<MalformedRecord>();
    var next = cp;
    for (var r : rows) {
      var values = values(r, select);
      var id = (String) values.get("Id");
      var modstamp = parseStamp((String) values.get("SystemModstamp"));
      if (id != null && modstamp.isPresent()) {
        next = Checkpoint.of(Map.of("mode", "incremental", "stamp", modstamp.get().toString(), "id", id));
      }
      if ("true".equals(values.get("IsDeleted")) && id != null && modstamp.isPresent()) {
        deletions.add(new Deletion(id, modstamp.get()));
        continue;
      }
      values.remove("IsDeleted");
      toRecord(object, values, types, records, malformed);
    }
    boolean more = rows.size() >= max;
    var settled = upper.minus(settings.overlap());
    if (!more && Instant.parse(next.get("stamp").orElse(Instant.EPOCH.toString())).isAfter(settled)) {
      next = Checkpoint.of(Map.of("mode", "incremental", "stamp", settled.toString(), "id", ""));
    }
    log.info("event=pull object={} path=soap records={} deletions={} malformed={}", object, records.size(),
        deletions.size(), malformed.size());
    return new PullBatch(records, deletions, malformed, next, more);
  }

  /**
   * Reads records by Id with a plain SOQL query, which sees every committed change at once: the
   * incremental cursor stays {@code overlap} behind the server's clock, this does not. Deleted
   * records are left out.
   */
  @Override
  public Optional<List<RawRecord>> read(String crmObject, List<String> requested, List<String> ids)
      throws ConnectorException {
    return turn.take(() -> readInTurn(crmObject, requested, ids));
  }

  private Optional<List<RawRecord>> readInTurn(String crmObject, List<String> requested, List<String> ids)
      throws ConnectorException {
    var object = checkName(crmObject);
    var types = typesOf(object);
    var fields = present(object, selected(requested), types);
    var records = new ArrayList<RawRecord>();
    var malformed = new ArrayList<MalformedRecord>();
    for (int i = 0; i < ids.size(); i += MAX_WRITE) {
      var quoted = ids.subList(i, Math.min(ids.size(), i + MAX_WRITE)).stream()
          .map(id -> "'" + checkId(id) + "'").toList();
      var soql = "SELECT " + String.join(", ", fields) + " FROM " + object + " WHERE Id IN ("
          + String.join(", ", quoted) + ")";
      var rows = session.call("read " + object, (p, b) -> allRows(p, p.query(soql)));
      for (var r : rows) {
        toRecord(object, values(r, fields), types, records, malformed);
      }
    }
    return Optional.of(records);
  }

  /** The SOQL that reads the org's stages: the picklist values of Opportunity.StageName with their settings. */
  static final String STAGES_SOQL = "SELECT ApiName, MasterLabel, SortOrder, DefaultProbability, ForecastCategoryName,"
      + " IsClosed, IsWon, IsActive FROM OpportunityStage ORDER BY SortOrder";

  /**
   * The org's opportunity stages from {@code OpportunityStage}: one pipeline (Salesforce keeps one
   * master list of stages; sales processes only pick from it), its stages by SortOrder. A deal's
   * StageName holds the stage's API name.
   */
  @Override
  public Optional<StageVocabulary> stageVocabulary() throws ConnectorException {
    var rows = turn.take(() -> session.call("query OpportunityStage", (p, b) -> allRows(p, p.query(STAGES_SOQL))));
    var stages = new ArrayList<StageVocabulary.Stage>();
    for (var r : rows) {
      var api = text(r, "ApiName").or(() -> text(r, "MasterLabel")).orElseThrow(() -> new ConnectorException(
          Kind.PERMANENT, settings.name() + ": an OpportunityStage row has neither ApiName nor MasterLabel"));
      var label = text(r, "MasterLabel").orElse(api);
      int order = text(r, "SortOrder").map(v -> (int) Double.parseDouble(v)).orElse(stages.size() + 1);
      stages.add(new StageVocabulary.Stage(api, label, order, text(r, "DefaultProbability").map(BigDecimal::new),
          text(r, "ForecastCategoryName"), bool(r, "IsClosed"), bool(r, "IsWon"), text(r, "IsActive").map(Boolean::parseBoolean).orElse(true)));
    }
    if (stages.isEmpty()) {
      throw new ConnectorException(Kind.PERMANENT, settings.name() + ": OpportunityStage returned no rows; the integration"
          + " user needs read access to it (View Setup and Configuration)");
    }
    stages.sort(java.util.Comparator.comparingInt(StageVocabulary.Stage::order));
    return Optional.of(new StageVocabulary(List.of(new StageVocabulary.Pipeline(OPPORTUNITY_PIPELINE, "Opportunity", stages))));
  }

  /** The one pipeline id of a Salesforce org's stages (Salesforce has no pipeline object). */
  public static final String OPPORTUNITY_PIPELINE = "Opportunity";

  private static Optional<String> text(SObject row, String field) {
    var v = row.getField(field);
    return v == null || v.toString().isEmpty() ? Optional.empty() : Optional.of(v.toString());
  }

  private static boolean bool(SObject row, String field) {
    return text(row, field).map(Boolean::parseBoolean).orElse(false);
  }

  /** Id, SystemModstamp and the requested fields, each checked to be a plain API name. */
  private static LinkedHashSet<String> selected(List<String> requested) {
    var fields = new LinkedHashSet<String>();
    fields.add("Id");
    fields.add("SystemModstamp");
    for (var f : requested) {
      fields.add(checkName(f));
    }
    return fields;
  }

  /**
   * The requested fields the org has. A mapping names input fields a stock org may lack (a demo
   * org's {@code Tier__c}); querying one would fail the whole pull, so it is left out, mirrored as
   * empty, and said once per object ({@code salesos schema verify} lists what salesos does
   * without each).
   */
  private LinkedHashSet<String> present(String object, LinkedHashSet<String> fields, Map<String, String> types) {
    var absent = new java.util.TreeSet<String>();
    var out = new LinkedHashSet<String>();
    for (var f : fields) {
      if (types.containsKey(f.toLowerCase())) {
        out.add(f);
      } else {
        absent.add(f);
      }
    }
    if (!absent.isEmpty() && absentReported.add(object.toLowerCase() + absent)) {
      log.warn("event=fields_absent connection={} object={} fields={} effect=\"mirrored as empty; see salesos schema verify\"",
          settings.name(), object, absent);
    }
    return out;
  }

  /** Every row of a query, following its locator to the end. */
  private static List<SObject> allRows(com.sforce.soap.partner.PartnerConnection p, com.sforce.soap.partner.QueryResult first)
      throws com.sforce.ws.ConnectionException {
    var out = new ArrayList<SObject>(Arrays.asList(first.getRecords()));
    var qr = first;
    while (!qr.isDone()) {
      qr = p.queryMore(qr.getQueryLocator());
      out.addAll(Arrays.asList(qr.getRecords()));
    }
    return out;
  }

  /** A row's values as text, in the order asked. */
  private static LinkedHashMap<String, Object> values(SObject row, Iterable<String> fields) {
    var values = new LinkedHashMap<String, Object>();
    for (var f : fields) {
      var v = row.getField(f);
      values.put(f, v == null ? null : v.toString());
    }
    return values;
  }

  private void toRecord(String object, Map<String, Object> values, Map<String, String> types, List<RawRecord> records,
      List<MalformedRecord> malformed) {
    var id = (String) values.get("Id");
    var stamp = parseStamp((String) values.get("SystemModstamp"));
    if (id == null || stamp.isEmpty()) {
      malformed.add(new MalformedRecord(Optional.ofNullable(id), values.toString(),
          object + " record without a readable Id or SystemModstamp"));
      return;
    }
    for (var e : values.entrySet()) {
      var problem = typeProblem(types.get(e.getKey().toLowerCase()), (String) e.getValue());
      if (problem != null) {
        malformed.add(new MalformedRecord(Optional.of(id), values.toString(),
            object + "." + e.getKey() + ": " + problem));
        return;
      }
    }
    records.add(new RawRecord(id, values, stamp.get()));
  }

  /** Why {@code value} cannot be a value of the describe's soap type, or null when it can. */
  private static String typeProblem(String soapType, String value) {
    if (soapType == null || value == null) {
      return null;
    }
    try {
      switch (soapType) {
        case "_double", "_int" -> new BigDecimal(value);
        case "_boolean" -> {
          if (!value.equals("true") && !value.equals("false")) {
            return "'" + value + "' is not a boolean";
          }
        }
        case "date" -> LocalDate.parse(value);
        case "dateTime" -> {
          // OffsetDateTime.parse refuses +0000, so the fast path only takes the Z form
          if (!value.endsWith("Z") || UtcStamp.parse(value).isEmpty()) {
            OffsetDateTime.parse(value);
          }
        }
        default -> {
          return null;
        }
      }
      return null;
    } catch (RuntimeException e) {
      return "'" + value + "' is not a valid " + soapType.replace("_", "");
    }
  }

  private static Optional<Instant> parseStamp(String s) {
    if (s == null) {
      return Optional.empty();
    }
    var common = s.endsWith("Z") ? UtcStamp.parse(s) : Optional.<Instant>empty();
    if (common.isPresent()) {
      return common;
    }
    try {
      return Optional.of(OffsetDateTime.parse(s).toInstant());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private Instant serverNow() throws ConnectorException {
    var ts = session.call("getServerTimestamp", (p, b) -> p.getServerTimestamp().getTimestamp());
    return ts.toInstant().truncatedTo(ChronoUnit.SECONDS);
  }

  private static String checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a Salesforce object or field name");
    }
    return name;
  }

  private static String checkId(String id) {
    if (!id.matches("[A-Za-z0-9]{15,18}")) {
      throw new IllegalArgumentException("the checkpoint holds '" + id + "', which is not a Salesforce id");
    }
    return id;
  }

  // ---- push ----

  @Override
  public List<WriteResult> push(String crmObject, List<Write> writes) throws ConnectorException {
    return turn.take(() -> pushInTurn(crmObject, writes));
  }

  private List<WriteResult> pushInTurn(String crmObject, List<Write> writes) throws ConnectorException {
    var object = checkName(crmObject);
    var results = new WriteResult[writes.size()];
    var groups = new LinkedHashMap<String, List<Integer>>();
    for (int i = 0; i < writes.size(); i++) {
      var w = writes.get(i);
      var group = w.op() + ":" + w.externalIdField().orElse("");
      groups.computeIfAbsent(group, k -> new ArrayList<>()).add(i);
    }
    for (var group : groups.values()) {
      for (int from = 0; from < group.size(); from += MAX_WRITE) {
        var chunk = group.subList(from, Math.min(group.size(), from + MAX_WRITE));
        var first = writes.get(chunk.get(0));
        switch (first.op()) {
          case UPSERT -> {
            var field = checkName(first.externalIdField().orElseThrow());
            var sobjects = chunk.stream().map(i -> sobject(object, writes.get(i), field)).toArray(SObject[]::new);
            var out = session.call("upsert " + object, (p, b) -> p.upsert(field, sobjects));
            for (int k = 0; k < chunk.size(); k++) {
              var r = out[k];
              results[chunk.get(k)] = r.isSuccess() ? WriteResult.ok(writes.get(chunk.get(k)).key(), r.getId(), r.isCreated())
                  : failed(writes.get(chunk.get(k)).key(), r.getErrors());
            }
          }
          case UPDATE -> {
            var sobjects = chunk.stream().map(i -> sobject(object, writes.get(i), null)).toArray(SObject[]::new);
            var out = session.call("update " + object, (p, b) -> p.update(sobjects));
            for (int k = 0; k < chunk.size(); k++) {
              var r = out[k];
              results[chunk.get(k)] = r.isSuccess() ? WriteResult.ok(writes.get(chunk.get(k)).key(), r.getId(), false)
                  : failed(writes.get(chunk.get(k)).key(), r.getErrors());
            }
          }
          case DELETE -> {
            var ids = chunk.stream().map(i -> writes.get(i).id().orElseThrow()).toArray(String[]::new);
            var out = session.call("delete " + object, (p, b) -> p.delete(ids));
            for (int k = 0; k < chunk.size(); k++) {
              var r = out[k];
              results[chunk.get(k)] = r.isSuccess() ? WriteResult.ok(writes.get(chunk.get(k)).key(), r.getId(), false)
                  : failed(writes.get(chunk.get(k)).key(), r.getErrors());
            }
          }
        }
      }
    }
    int failed = (int) Arrays.stream(results).filter(r -> !r.success()).count();
    log.info("event=push object={} writes={} failed={}", object, writes.size(), failed);
    return List.of(results);
  }

  private static SObject sobject(String object, Write w, String externalIdField) {
    var s = new SObject(object);
    w.id().ifPresent(s::setId);
    var toNull = new ArrayList<String>();
    for (var e : w.fields().entrySet()) {
      var name = checkName(e.getKey());
      if (e.getValue() == null) {
        toNull.add(name);
      } else {
        s.setField(name, wire(e.getValue()));
      }
    }
    if (externalIdField != null && !w.fields().containsKey(externalIdField)) {
      // the write's idempotency key is the external id's value, so a retry finds the record it created
      s.setField(externalIdField, w.key());
    }
    if (!toNull.isEmpty()) {
      s.setFieldsToNull(toNull.toArray(String[]::new));
    }
    return s;
  }

  private static String wire(Object v) {
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (v instanceof Instant i) {
      return i.toString();
    }
    return v.toString();
  }

  private static WriteResult failed(String key, com.sforce.soap.partner.Error[] errors) {
    if (errors == null || errors.length == 0) {
      return WriteResult.failed(key, "UNKNOWN_EXCEPTION", "Salesforce reported a failure without an error", true);
    }
    var e = errors[0];
    var code = e.getStatusCode() == null ? "UNKNOWN_EXCEPTION" : e.getStatusCode().toString();
    var fields = e.getFields() == null || e.getFields().length == 0 ? "" : " " + Arrays.toString(e.getFields());
    boolean retryable = code.equals("UNABLE_TO_LOCK_ROW") || code.equals("ALL_OR_NONE_OPERATION_ROLLED_BACK");
    return WriteResult.failed(key, code, e.getMessage() + fields, retryable);
  }

  /**
   * Salesforce's describe types as mirror types: money as decimal, percents as percent, Number
   * fields (describe type double) as double, text areas (up to 131,072 characters) as text, ids and
   * lookups as ids. Compound (address, location), binary and time fields are not mirrored.
   */
  @Override
  public Optional<io.salesos.model.FieldType> canonicalType(CrmSchema.CrmField field) {
    var type = field.type().toLowerCase(java.util.Locale.ROOT).replaceFirst("^_", "");
    return Optional.ofNullable(switch (type) {
      case "id", "reference" -> io.salesos.model.FieldType.ID;
      case "string", "picklist", "combobox", "email", "phone", "url", "encryptedstring" -> io.salesos.model.FieldType.STRING;
      case "textarea", "multipicklist" -> io.salesos.model.FieldType.TEXT;
      case "currency" -> io.salesos.model.FieldType.DECIMAL;
      case "percent" -> io.salesos.model.FieldType.PERCENT;
      case "double" -> io.salesos.model.FieldType.DOUBLE;
      case "int", "long" -> io.salesos.model.FieldType.INTEGER;
      case "boolean" -> io.salesos.model.FieldType.BOOLEAN;
      case "date" -> io.salesos.model.FieldType.DATE;
      case "datetime" -> io.salesos.model.FieldType.DATETIME;
      default -> null;
    });
  }

  // ---- the fields salesos writes (`salesos schema verify|prepare`) ----

  @Override
  public Optional<String> fieldMismatch(FieldSpec needed, CrmSchema.CrmField found) {
    return CustomFields.mismatch(needed, found);
  }

  @Override
  public FieldPreparation createFields(List<FieldSpec> fields) throws ConnectorException {
    var prepared = turn.take(() -> {
      var created = new CustomFields(session, settings).create(fields);
      // the next describe must see the new fields
      soapTypes.clear();
      return created;
    });
    log.info("event=create_fields connection={} requested={} created={}", settings.name(), fields.size(),
        prepared.fields().stream().filter(f -> f.outcome() == FieldCreation.Outcome.CREATED).count());
    return prepared;
  }

  @Override
  public FieldPreparation writeFieldPackage(List<FieldSpec> fields, java.nio.file.Path dir)
      throws ConnectorException {
    return turn.take(() -> new CustomFields(session, settings).writePackage(fields, dir));
  }
}
