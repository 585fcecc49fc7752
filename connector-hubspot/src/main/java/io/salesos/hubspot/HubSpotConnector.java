package io.salesos.hubspot;

import io.salesos.spi.FieldCreation;
import io.salesos.spi.FieldPreparation;
import io.salesos.spi.FieldSpec;
import com.fasterxml.jackson.databind.JsonNode;
import io.salesos.spi.ApiBudget;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.Connector;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.CrmSchema;
import io.salesos.spi.CurrencySettings;
import io.salesos.spi.CrmSchema.CrmField;
import io.salesos.spi.CrmSchema.CrmObject;
import io.salesos.spi.Deletion;
import io.salesos.spi.MalformedRecord;
import io.salesos.spi.PullBatch;
import io.salesos.spi.PullRequest;
import io.salesos.spi.RawRecord;
import io.salesos.spi.StageVocabulary;
import io.salesos.spi.Write;
import io.salesos.spi.WriteResult;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HubSpot CRM v3 connector: describes objects from the properties API, pulls changes by
 * {@link ChangePuller}, writes by {@link BatchWriter}, and reports the budget from HubSpot's
 * rate-limit headers. Besides HubSpot's object types it serves {@code owners} and two objects
 * derived from deals: {@code deal_contacts} (v4 deal-contact associations with their labels) and
 * {@code deal_stage_history} (one record per entry of the deal's stage history).
 */
final class HubSpotConnector implements Connector {

  private static final Logger LOG = LoggerFactory.getLogger(HubSpotConnector.class);

  static final List<String> OBJECT_TYPES =
      List.of("companies", "contacts", "deals", "tasks", "meetings", "calls", "notes", "emails");
  static final String OWNERS = "owners";
  static final String DEAL_CONTACTS = "deal_contacts";
  static final String DEAL_STAGE_HISTORY = "deal_stage_history";
  private static final List<String> ASSOCIABLE = List.of("companies", "contacts", "deals");
  private static final List<String> HISTORY =
      List.of("dealstage", "amount", "closedate", "hs_manual_forecast_category");
  private static final int MAX_HISTORY_BATCH = 50;

  private final String name;
  private final HubSpotSettings settings;
  private final HubSpotClient client;
  private final ChangePuller puller;
  private final BatchWriter writer;

  HubSpotConnector(String name, HubSpotSettings settings, Clock clock) {
    this.name = name;
    this.settings = settings;
    this.client = new HubSpotClient(settings, clock);
    this.puller = new ChangePuller(client, settings, clock, new SearchPacer(settings.searchPerSecond()));
    this.writer = new BatchWriter(client, settings);
    this.stream = settings.journal()
        ? Optional.of(new JournalStream(new HubSpotClient(settings.forJournal(), clock), this, clock)) : Optional.empty();
  }

  private final Optional<io.salesos.spi.ChangeStream> stream;

  /** HubSpot's webhooks journal when the connection's {@code change_stream} setting is {@code journal}. */
  @Override
  public Optional<io.salesos.spi.ChangeStream> changeStream() {
    return stream;
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * The account's currencies from the settings currencies API: the company currency and every
   * exchange rate (one unit of a currency is worth conversionRate units of the company currency)
   * with the date it took effect. Each rate is in force from its day to the next rate's day of the
   * same currency; the earliest also before it, as HubSpot uses the rate closest to a close date
   * that precedes every rate. HubSpot converts a closed deal at the rate of its close date and an
   * open one at today's ({@link CurrencySettings.DatedBy#CLOSED_DEALS}). Needs the
   * {@code settings.currencies.read} scope.
   */
  @Override
  public Optional<CurrencySettings> currencies() throws ConnectorException {
    var company = client.get("/settings/v3/currencies/company-currency");
    var code = company.path("id").asText(company.path("currencyCode").asText(""));
    if (code.isEmpty()) {
      throw new ConnectorException(ConnectorException.Kind.PERMANENT, name()
          + ": the company currency answer names no currency: " + company);
    }
    var byCurrency = new java.util.TreeMap<String, java.util.TreeMap<java.time.LocalDate, java.math.BigDecimal>>();
    String after = null;
    for (int page = 0; page < 1_000; page++) {
      var answer = client.get("/settings/v3/currencies/exchange-rates?limit=100" + (after == null ? "" : "&after="
          + java.net.URLEncoder.encode(after, java.nio.charset.StandardCharsets.UTF_8)));
      for (var r : answer.path("results")) {
        if (!code.equalsIgnoreCase(r.path("toCurrencyCode").asText(code))) {
          continue;
        }
        try {
          var day = java.time.LocalDate.ofInstant(Instant.parse(r.path("effectiveAt").asText()), java.time.ZoneOffset.UTC);
          // a later rate of the same day replaces an earlier one (results come oldest first)
          byCurrency.computeIfAbsent(r.path("fromCurrencyCode").asText(), k -> new java.util.TreeMap<>())
              .put(day, new java.math.BigDecimal(r.path("conversionRate").asText()));
        } catch (RuntimeException e) {
          throw new ConnectorException(ConnectorException.Kind.PERMANENT, name() + ": an exchange rate could not be read ("
              + e.getMessage() + "): " + r, e);
        }
      }
      after = answer.path("paging").path("next").path("after").asText(null);
      if (after == null) {
        break;
      }
    }
    var rates = new ArrayList<CurrencySettings.Rate>();
    try {
      byCurrency.forEach((currency, days) -> {
        if (currency.equalsIgnoreCase(code)) {
          return;
        }
        var list = new ArrayList<>(days.entrySet());
        for (int i = 0; i < list.size(); i++) {
          var start = i == 0 ? java.time.LocalDate.of(1, 1, 1) : list.get(i).getKey();
          var next = i + 1 < list.size() ? Optional.of(list.get(i + 1).getKey()) : Optional.<java.time.LocalDate>empty();
          rates.add(new CurrencySettings.Rate(currency, list.get(i).getValue(), CurrencySettings.Quote.CORPORATE_PER_UNIT,
              Optional.of(start), next, true, 2));
        }
      });
      return Optional.of(new CurrencySettings(code, rates, CurrencySettings.DatedBy.CLOSED_DEALS));
    } catch (IllegalArgumentException e) {
      throw new ConnectorException(ConnectorException.Kind.PERMANENT, name() + ": the account's currencies could not be read: "
          + e.getMessage(), e);
    }
  }

  /**
   * Every deal pipeline of the portal ({@code GET /crm/v3/pipelines/deals}) with its stages in
   * display order: the stage id a deal's {@code dealstage} holds, its label, {@code
   * metadata.probability} (0..1, kept as a percent) and {@code metadata.isClosed}. HubSpot counts a
   * closed stage of probability 1 as won, as its {@code hs_is_closed_won} does.
   */
  @Override
  public Optional<StageVocabulary> stageVocabulary() throws ConnectorException {
    var answer = client.get("/crm/v3/pipelines/deals");
    var pipelines = new ArrayList<StageVocabulary.Pipeline>();
    var sorted = new ArrayList<JsonNode>();
    answer.path("results").forEach(sorted::add);
    sorted.sort(java.util.Comparator.comparingInt(p -> p.path("displayOrder").asInt(0)));
    for (var p : sorted) {
      if (p.path("archived").asBoolean(false)) {
        continue;
      }
      var stageNodes = new ArrayList<JsonNode>();
      p.path("stages").forEach(stageNodes::add);
      stageNodes.sort(java.util.Comparator.comparingInt(st -> st.path("displayOrder").asInt(0)));
      var stages = new ArrayList<StageVocabulary.Stage>();
      for (var st : stageNodes) {
        var meta = st.path("metadata");
        var probability = Optional.of(meta.path("probability").asText("")).filter(v -> !v.isBlank())
            .map(v -> new java.math.BigDecimal(v).multiply(java.math.BigDecimal.valueOf(100)).stripTrailingZeros());
        boolean closed = Boolean.parseBoolean(meta.path("isClosed").asText("false"));
        boolean won = closed && probability.map(v -> v.compareTo(java.math.BigDecimal.valueOf(100)) == 0).orElse(false);
        stages.add(new StageVocabulary.Stage(st.path("id").asText(), st.path("label").asText(), st.path("displayOrder").asInt(),
            probability, Optional.empty(), closed, won, !st.path("archived").asBoolean(false)));
      }
      if (!stages.isEmpty()) {
        pipelines.add(new StageVocabulary.Pipeline(p.path("id").asText(), p.path("label").asText(), stages));
      }
    }
    if (pipelines.isEmpty()) {
      throw new ConnectorException(ConnectorException.Kind.PERMANENT, name + ": the portal reports no deal pipeline;"
          + " the private app needs the crm.objects.deals.read scope");
    }
    return Optional.of(new StageVocabulary(pipelines));
  }

  @Override
  public CrmSchema describe() throws ConnectorException {
    var objects = new ArrayList<CrmObject>();
    for (var type : OBJECT_TYPES) {
      var answer = client.get("/crm/v3/properties/" + type);
      var fields = new ArrayList<CrmField>();
      for (var p : answer.path("results")) {
        var options = new ArrayList<String>();
        if (p.path("type").asText("").equals("enumeration")) {
          p.path("options").forEach(o -> options.add(o.path("value").asText()));
        }
        fields.add(new CrmField(p.path("name").asText(), p.path("label").asText(null), p.path("type").asText("string"),
            !p.path("modificationMetadata").path("readOnlyValue").asBoolean(false) && !p.path("calculated").asBoolean(false),
            p.path("hasUniqueValue").asBoolean(false), !p.path("hubspotDefined").asBoolean(false), options));
      }
      for (var target : ASSOCIABLE) {
        if (!target.equals(type)) {
          // the first (primary) associated record's id, so a mapping can bind e.g. deal.account_id
          fields.add(new CrmField(BatchWriter.ASSOCIATIONS + target, "Associated " + target + " (primary)",
              "association", true, false, false));
        }
      }
      objects.add(new CrmObject(type, type, fields));
    }
    objects.addAll(customObjects());
    objects.add(new CrmObject(OWNERS, "Owners", List.of(
        field("email", "string"), field("firstName", "string"), field("lastName", "string"),
        field("userId", "number"), field("archived", "bool"),
        // not an owner property in HubSpot: the portal's zone (account-info), the same for every owner
        field("timeZone", "string"))));
    objects.add(new CrmObject(DEAL_CONTACTS, "Deal contacts (v4 associations)", List.of(
        field("deal_id", "string"), field("contact_id", "string"), field("role", "string"),
        field("labels", "string"), field("is_primary", "bool"))));
    objects.add(new CrmObject(DEAL_STAGE_HISTORY, "Deal stage history", List.of(
        field("deal_id", "string"), field("dealstage", "enumeration"), field("amount", "number"),
        field("closedate", "datetime"), field("hs_manual_forecast_category", "enumeration"),
        field("changed_at", "datetime"), field("source_type", "string"))));
    return new CrmSchema(objects);
  }

  /**
   * The portal's custom objects from the schemas API, each under its schema name with its
   * properties and an {@code associations.<type>} field per standard object it associates with.
   * Remembers each name's object type id ({@code 2-...}), which the objects API is called with. A
   * token without the custom objects read scope sees none (said once in the log).
   */
  private List<CrmObject> customObjects() throws ConnectorException {
    JsonNode answer;
    try {
      answer = client.get("/crm/v3/schemas");
    } catch (ConnectorException e) {
      if (e.kind() == ConnectorException.Kind.AUTHENTICATION || e.kind() == ConnectorException.Kind.PERMANENT) {
        LOG.warn("event=custom_objects_unreadable connection={} reason=\"{}\" effect=\"custom objects are not described;"
            + " grant the private app crm.schemas.custom.read to mirror them\"", name, e.getMessage());
        return List.of();
      }
      throw e;
    }
    var out = new ArrayList<CrmObject>();
    for (var schema : answer.path("results")) {
      var objectName = schema.path("name").asText();
      var typeId = schema.path("objectTypeId").asText();
      if (objectName.isEmpty() || !typeId.matches("2-\\d+")) {
        continue;
      }
      customTypeIds.put(objectName.toLowerCase(Locale.ROOT), typeId);
      var fields = new ArrayList<CrmField>();
      for (var p : schema.path("properties")) {
        fields.add(property(p));
      }
      for (var a : schema.path("associations")) {
        var target = STANDARD_TYPE_IDS.get(a.path("toObjectTypeId").asText());
        if (target != null && fields.stream().noneMatch(f -> f.name().equals(BatchWriter.ASSOCIATIONS + target))) {
          fields.add(new CrmField(BatchWriter.ASSOCIATIONS + target, "Associated " + target + " (primary, else first)",
              "association", true, false, false));
        }
      }
      out.add(new CrmObject(objectName, schema.path("labels").path("singular").asText(objectName), fields));
    }
    return out;
  }

  private static CrmField property(JsonNode p) {
    var options = new ArrayList<String>();
    if (p.path("type").asText("").equals("enumeration")) {
      p.path("options").forEach(o -> options.add(o.path("value").asText()));
    }
    return new CrmField(p.path("name").asText(), p.path("label").asText(null), p.path("type").asText("string"),
        !p.path("modificationMetadata").path("readOnlyValue").asBoolean(false) && !p.path("calculated").asBoolean(false),
        p.path("hasUniqueValue").asBoolean(false), !p.path("hubspotDefined").asBoolean(false), options);
  }

  /** Standard object type ids to the plural names the associations API takes. */
  private static final Map<String, String> STANDARD_TYPE_IDS = Map.of("0-1", "contacts", "0-2", "companies", "0-3", "deals");

  /** Custom object names (lower case) to their object type ids, as the last describe found them. */
  private final Map<String, String> customTypeIds = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The path segment of an object type: a standard type as it is, a custom object by its object
   * type id (looked up in the schemas API when no describe has named it yet).
   */
  private String pathType(String type) throws ConnectorException {
    if (OBJECT_TYPES.contains(type) || type.matches("\\d-\\d+")) {
      return type;
    }
    var id = customTypeIds.get(type);
    if (id == null) {
      customObjects();
      id = customTypeIds.get(type);
    }
    if (id == null) {
      throw new ConnectorException(ConnectorException.Kind.PERMANENT, name + ": the portal has no object type '" + type
          + "' (neither a standard object nor a custom object in /crm/v3/schemas)");
    }
    return id;
  }

  /**
   * HubSpot's property types as mirror types: numbers as doubles (HubSpot keeps any decimal),
   * dates and datetimes as such, bool (and a yes/no enumeration) as boolean, associations as ids,
   * every other type as text of up to 65,536 characters when it is a textarea, else a string.
   */
  @Override
  public java.util.Optional<io.salesos.model.FieldType> canonicalType(CrmField field) {
    return java.util.Optional.ofNullable(switch (field.type()) {
      case "number" -> io.salesos.model.FieldType.DOUBLE;
      case "date" -> io.salesos.model.FieldType.DATE;
      case "datetime", "dateTime" -> io.salesos.model.FieldType.DATETIME;
      case "bool" -> io.salesos.model.FieldType.BOOLEAN;
      case "association" -> io.salesos.model.FieldType.ID;
      case "string", "enumeration", "phone_number" -> io.salesos.model.FieldType.TEXT;
      default -> null;
    });
  }

  private static CrmField field(String name, String type) {
    return new CrmField(name, name, type, false, false, false);
  }

  @Override
  public PullBatch pull(PullRequest request) throws ConnectorException {
    var type = request.crmObject().toLowerCase(Locale.ROOT);
    var batch = switch (type) {
      case OWNERS -> owners(request.checkpoint());
      case DEAL_CONTACTS -> dealContacts(request);
      case DEAL_STAGE_HISTORY -> stageHistory(request);
      default -> objects(pathType(type), request);
    };
    LOG.debug("event=pull connection={} object={} records={} deletions={} malformed={} more={}", name, type,
        batch.records().size(), batch.deletions().size(), batch.malformed().size(), batch.hasMore());
    return batch;
  }

  /** The mapped fields split into HubSpot properties and association targets ({@code associations.<target>}). */
  private record Asked(List<String> properties, List<String> targets) {
    static Asked of(List<String> fields) {
      var properties = new ArrayList<String>();
      var targets = new ArrayList<String>();
      for (var f : fields) {
        if (f.startsWith(BatchWriter.ASSOCIATIONS)) {
          targets.add(f.substring(BatchWriter.ASSOCIATIONS.length()));
        } else if (!f.equals("id")) {
          properties.add(f);
        }
      }
      return new Asked(properties, targets);
    }
  }

  private PullBatch objects(String type, PullRequest request) throws ConnectorException {
    var asked = Asked.of(request.fields());
    var properties = asked.properties();
    var targets = asked.targets();
    boolean listing = request.checkpoint().get(ChangePuller.PHASE).orElse("list").equals("list");
    var page = puller.pull(type, properties, targets, request.checkpoint(), request.maxRecords(), true);
    var records = page.records();
    if (!listing && !targets.isEmpty() && !records.isEmpty()) {
      records = withAssociations(type, records, targets);
    }
    return new PullBatch(records, page.deletions(), page.malformed(), page.next(), page.hasMore());
  }

  /** Adds {@code associations.<target>} = the primary (else first) associated id to each record. */
  private List<RawRecord> withAssociations(String type, List<RawRecord> records, List<String> targets)
      throws ConnectorException {
    var byTarget = new HashMap<String, Map<String, String>>();
    for (var target : targets) {
      var primary = new HashMap<String, String>();
      for (var answer : associationReads(type, target, records)) {
        for (var r : answer.path("results")) {
          var chosen = "";
          for (var to : r.path("to")) {
            boolean isPrimary = false;
            for (var t : to.path("associationTypes")) {
              isPrimary |= "Primary".equalsIgnoreCase(t.path("label").asText(""));
            }
            if (chosen.isEmpty() || isPrimary) {
              chosen = to.path("toObjectId").asText();
              if (isPrimary) {
                break;
              }
            }
          }
          primary.put(r.path("from").path("id").asText(), chosen.isEmpty() ? null : chosen);
        }
      }
      byTarget.put(target, primary);
    }
    var out = new ArrayList<RawRecord>(records.size());
    for (var r : records) {
      var fields = new LinkedHashMap<>(r.fields());
      for (var target : targets) {
        fields.put(BatchWriter.ASSOCIATIONS + target, byTarget.get(target).get(r.id()));
      }
      out.add(new RawRecord(r.id(), fields, r.modifiedAt()));
    }
    return out;
  }

  private List<JsonNode> associationReads(String type, String target, List<RawRecord> records)
      throws ConnectorException {
    var answers = new ArrayList<JsonNode>();
    for (int i = 0; i < records.size(); i += BatchWriter.MAX_BATCH) {
      var inputs = records.subList(i, Math.min(records.size(), i + BatchWriter.MAX_BATCH)).stream()
          .map(r -> Map.of("id", r.id())).toList();
      answers.add(client.post("/crm/v4/associations/" + type + "/" + target + "/batch/read", Map.of("inputs", inputs)));
    }
    return answers;
  }

  private PullBatch dealContacts(PullRequest request) throws ConnectorException {
    var page = puller.pull("deals", List.of(), List.of(), request.checkpoint(), Math.min(request.maxRecords(), 100), false);
    var out = new ArrayList<RawRecord>();
    var stamps = new HashMap<String, Instant>();
    page.records().forEach(r -> stamps.put(r.id(), r.modifiedAt()));
    if (!page.records().isEmpty()) {
      for (var answer : associationReads("deals", "contacts", page.records())) {
        for (var r : answer.path("results")) {
          var dealId = r.path("from").path("id").asText();
          for (var to : r.path("to")) {
            var labels = new ArrayList<String>();
            for (var t : to.path("associationTypes")) {
              if (!t.path("label").isNull() && !t.path("label").asText("").isEmpty()) {
                labels.add(t.path("label").asText());
              }
            }
            var contactId = to.path("toObjectId").asText();
            var fields = new LinkedHashMap<String, Object>();
            fields.put("deal_id", dealId);
            fields.put("contact_id", contactId);
            fields.put("role", labels.stream().filter(l -> !l.toLowerCase(Locale.ROOT).contains("primary"))
                .findFirst().orElse(null));
            fields.put("labels", String.join(";", labels));
            fields.put("is_primary", Boolean.toString(
                labels.stream().anyMatch(l -> l.toLowerCase(Locale.ROOT).contains("primary"))));
            out.add(new RawRecord(dealId + ":" + contactId, fields, stamps.getOrDefault(dealId, Instant.EPOCH)));
          }
        }
      }
    }
    return new PullBatch(out, List.of(), page.malformed(), page.next(), page.hasMore());
  }

  private PullBatch stageHistory(PullRequest request) throws ConnectorException {
    var page = puller.pull("deals", List.of(), List.of(), request.checkpoint(), Math.min(request.maxRecords(), 100), false);
    var out = new ArrayList<RawRecord>();
    var malformed = new ArrayList<MalformedRecord>(page.malformed());
    var records = page.records();
    for (int i = 0; i < records.size(); i += MAX_HISTORY_BATCH) {
      var inputs = records.subList(i, Math.min(records.size(), i + MAX_HISTORY_BATCH)).stream()
          .map(r -> Map.of("id", r.id())).toList();
      var answer = client.post(settings.objectsPath() + "/deals/batch/read",
          Map.of("inputs", inputs, "properties", List.of("hs_object_id"), "propertiesWithHistory", HISTORY));
      for (var deal : answer.path("results")) {
        var dealId = deal.path("id").asText();
        var history = deal.path("propertiesWithHistory");
        for (var entry : history.path("dealstage")) {
          var at = RecordReader.parseStamp(entry.path("timestamp").asText(""));
          if (at.isEmpty()) {
            malformed.add(new MalformedRecord(java.util.Optional.of(dealId), entry.toString(),
                "a dealstage history entry without a readable timestamp"));
            continue;
          }
          var fields = new LinkedHashMap<String, Object>();
          fields.put("deal_id", dealId);
          fields.put("dealstage", entry.path("value").asText(null));
          fields.put("changed_at", at.get().toString());
          fields.put("source_type", entry.path("sourceType").asText(null));
          for (var p : List.of("amount", "closedate", "hs_manual_forecast_category")) {
            fields.put(p, valueAt(history.path(p), at.get()));
          }
          out.add(new RawRecord(dealId + ":" + at.get().toEpochMilli(), fields, at.get()));
        }
      }
    }
    return new PullBatch(out, List.of(), malformed, page.next(), page.hasMore());
  }

  /** The value a property had at {@code at}: the newest history entry not after it. */
  private static String valueAt(JsonNode entries, Instant at) {
    String best = null;
    Instant bestAt = null;
    for (var e : entries) {
      var t = RecordReader.parseStamp(e.path("timestamp").asText(""));
      if (t.isPresent() && !t.get().isAfter(at) && (bestAt == null || t.get().isAfter(bestAt))) {
        best = e.path("value").asText(null);
        bestAt = t.get();
      }
    }
    return best;
  }

  private PullBatch owners(Checkpoint cp) throws ConnectorException {
    boolean archived = cp.get(ChangePuller.PHASE).orElse("").equals("owners_archived");
    var after = cp.get(ChangePuller.AFTER).orElse("");
    var answer = client.get("/crm/v3/owners?limit=100&archived=" + archived
        + (after.isEmpty() ? "" : "&after=" + ChangePuller.encode(after)));
    var records = new ArrayList<RawRecord>();
    var deletions = new ArrayList<Deletion>();
    var malformed = new ArrayList<MalformedRecord>();
    var portalZone = archived ? null : portalTimeZone();
    for (var o : answer.path("results")) {
      var id = o.path("id").asText("");
      var updated = RecordReader.parseStamp(o.path("updatedAt").asText(""));
      if (id.isEmpty() || updated.isEmpty()) {
        malformed.add(new MalformedRecord(id.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(id),
            o.toString(), "an owner without id or updatedAt"));
        continue;
      }
      if (archived) {
        deletions.add(new Deletion(id, updated.get()));
        continue;
      }
      var fields = new LinkedHashMap<String, Object>();
      for (var f : List.of("email", "firstName", "lastName", "userId", "archived")) {
        fields.put(f, o.path(f).isMissingNode() || o.path(f).isNull() ? null : o.path(f).asText());
      }
      fields.put("timeZone", portalZone);
      records.add(new RawRecord(id, fields, updated.get()));
    }
    var nextAfter = answer.path("paging").path("next").path("after").asText("");
    var phase = archived ? "owners_archived" : "owners";
    if (!nextAfter.isEmpty()) {
      return new PullBatch(records, deletions, malformed,
          Checkpoint.of(Map.of(ChangePuller.PHASE, phase, ChangePuller.AFTER, nextAfter)), true);
    }
    if (!archived) {
      return new PullBatch(records, deletions, malformed,
          Checkpoint.of(Map.of(ChangePuller.PHASE, "owners_archived")), true);
    }
    // owners are few and carry no searchable stamp: every round re-reads the list
    return new PullBatch(records, deletions, malformed, Checkpoint.of(Map.of(ChangePuller.PHASE, "owners")), false);
  }

  /**
   * The fiscal year from the connection's {@code fiscal_year_start_month} setting (HubSpot's API
   * reports none: the account details name the portal's time zone and currencies only) and the
   * portal's time zone.
   */
  @Override
  public Optional<io.salesos.spi.CrmCalendar> calendar() throws ConnectorException {
    var zone = client.get("/account-info/v3/details").path("timeZone").asText("");
    return Optional.of(new io.salesos.spi.CrmCalendar(settings.fiscalYearStartMonth(), false,
        zone.isBlank() ? Optional.empty() : Optional.of(zone)));
  }

  /**
   * The portal's time zone from GET /account-info/v3/details (HubSpot keeps none per owner), or null
   * when the token may not read it: the owners then carry no zone and the rules' region or default
   * zone applies, which routing.yaml can pin per owner.
   */
  private String portalTimeZone() {
    try {
      var zone = client.get("/account-info/v3/details").path("timeZone").asText("");
      return zone.isBlank() ? null : zone;
    } catch (ConnectorException e) {
      LOG.warn("event=portal_time_zone_unread reason=\"{}\"", e.getMessage());
      return null;
    }
  }

  @Override
  public List<WriteResult> push(String crmObject, List<Write> writes) throws ConnectorException {
    var type = crmObject.toLowerCase(Locale.ROOT);
    if (!OBJECT_TYPES.contains(type)) {
      throw new ConnectorException(ConnectorException.Kind.PERMANENT, "salesos cannot write HubSpot object '"
          + crmObject + "'; writable: " + OBJECT_TYPES);
    }
    var results = writer.push(type, writes);
    LOG.info("event=push connection={} object={} writes={} failed={}", name, type, writes.size(),
        results.stream().filter(r -> !r.success()).count());
    return results;
  }

  /**
   * Reads records by id through the objects batch-read endpoint, which answers from HubSpot's
   * primary store: unlike search, it sees an edit made a moment ago. The derived objects (owners,
   * deal contacts, stage history) have no single record to read and answer empty.
   */
  @Override
  public Optional<List<RawRecord>> read(String crmObject, List<String> fields, List<String> ids)
      throws ConnectorException {
    var type = crmObject.toLowerCase(Locale.ROOT);
    if (type.equals(OWNERS) || type.equals(DEAL_CONTACTS) || type.equals(DEAL_STAGE_HISTORY)) {
      return Optional.empty();
    }
    var split = Asked.of(fields);
    var properties = split.properties();
    var targets = split.targets();
    var stampProperty = ChangePuller.stampProperty(type);
    var asked = new java.util.LinkedHashSet<>(properties);
    asked.add(stampProperty);
    var records = new ArrayList<RawRecord>();
    for (int i = 0; i < ids.size(); i += BatchWriter.MAX_BATCH) {
      var inputs = ids.subList(i, Math.min(ids.size(), i + BatchWriter.MAX_BATCH)).stream()
          .map(id -> Map.of("id", id)).toList();
      var answer = client.post(settings.objectsPath() + "/" + type + "/batch/read",
          Map.of("inputs", inputs, "properties", List.copyOf(asked)));
      for (var node : answer.path("results")) {
        if (RecordReader.read(node, stampProperty, properties) instanceof RecordReader.Read r) {
          records.add(r.record());
        }
      }
    }
    if (!targets.isEmpty() && !records.isEmpty()) {
      return Optional.of(withAssociations(type, records, targets));
    }
    return Optional.of(records);
  }

  /**
   * Every call is one stateless HTTP exchange on a thread-safe client (the budget is a volatile
   * snapshot, the search pacer is synchronized), so core may pull objects side by side.
   */
  @Override
  public boolean concurrentCalls() {
    return true;
  }

  @Override
  public int maxWriteBatch() {
    return BatchWriter.MAX_BATCH;
  }

  @Override
  public ApiBudget limits() {
    return client.budget();
  }

  /** Requests sent so far on this connection (for tests and the status page). */
  long calls() {
    return client.calls();
  }

  @Override
  public java.util.Optional<String> fieldMismatch(FieldSpec needed, CrmField found) {
    return PropertyCreator.mismatch(needed, found);
  }

  @Override
  public FieldPreparation createFields(List<FieldSpec> fields) throws ConnectorException {
    var prepared = new PropertyCreator(client).create(fields);
    LOG.info("event=create_properties connection={} requested={} created={}", name, fields.size(),
        prepared.fields().stream().filter(f -> f.outcome() == FieldCreation.Outcome.CREATED).count());
    return prepared;
  }
}
