package io.salesos.hubspot.sandbox;

import io.salesos.demo.DemoOrg;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything the sandbox portal holds: object tables, owners, the deal pipeline, associations and
 * the server clock. One lock guards it all; the HTTP threads and direct test access share it.
 */
final class SandboxState {

  /** A HubSpot user who can own records. */
  record Owner(long id, String email, String firstName, String lastName, long userId, boolean archived,
      Instant createdAt, Instant updatedAt) {}

  /** One pipeline stage with HubSpot's string-typed metadata, in the pipeline it belongs to. */
  record Stage(String id, String label, int displayOrder, boolean closed, String probability, String pipelineId,
      Instant createdAt, Instant updatedAt) {}

  /** One deal pipeline (its stages are in {@link #stages}). */
  record Pipeline(String id, String label, int displayOrder, Instant createdAt, Instant updatedAt) {}

  /** One association type on an edge: HUBSPOT_DEFINED or USER_DEFINED, its id and label. */
  record AssocType(String category, int typeId, String label) {}

  static final String PIPELINE_ID = "default";
  static final long PORTAL_ID = 4_211_877L;

  // HubSpot-defined association type ids (CRM-API-FACTS B7; the engagement ones are unconfirmed)
  private static final Map<String, int[]> TYPE_IDS = Map.ofEntries(
      Map.entry("contacts>companies", new int[] {279, 1}), Map.entry("companies>contacts", new int[] {280, 2}),
      Map.entry("deals>companies", new int[] {341, 5}), Map.entry("companies>deals", new int[] {342, 6}),
      Map.entry("deals>contacts", new int[] {3, 0}), Map.entry("contacts>deals", new int[] {4, 0}),
      Map.entry("tasks>deals", new int[] {216, 0}), Map.entry("deals>tasks", new int[] {215, 0}),
      Map.entry("tasks>contacts", new int[] {204, 0}), Map.entry("contacts>tasks", new int[] {203, 0}),
      Map.entry("tasks>companies", new int[] {192, 0}), Map.entry("companies>tasks", new int[] {191, 0}),
      Map.entry("meetings>deals", new int[] {212, 0}), Map.entry("deals>meetings", new int[] {211, 0}),
      Map.entry("meetings>contacts", new int[] {200, 0}), Map.entry("contacts>meetings", new int[] {199, 0}),
      Map.entry("meetings>companies", new int[] {188, 0}), Map.entry("companies>meetings", new int[] {187, 0}),
      Map.entry("calls>deals", new int[] {206, 0}), Map.entry("deals>calls", new int[] {205, 0}),
      Map.entry("calls>contacts", new int[] {194, 0}), Map.entry("contacts>calls", new int[] {193, 0}),
      Map.entry("calls>companies", new int[] {182, 0}), Map.entry("companies>calls", new int[] {181, 0}),
      Map.entry("notes>deals", new int[] {214, 0}), Map.entry("deals>notes", new int[] {213, 0}),
      Map.entry("notes>contacts", new int[] {202, 0}), Map.entry("contacts>notes", new int[] {201, 0}),
      Map.entry("notes>companies", new int[] {190, 0}), Map.entry("companies>notes", new int[] {189, 0}),
      Map.entry("emails>deals", new int[] {210, 0}), Map.entry("deals>emails", new int[] {209, 0}),
      Map.entry("emails>contacts", new int[] {198, 0}), Map.entry("contacts>emails", new int[] {197, 0}),
      Map.entry("emails>companies", new int[] {186, 0}), Map.entry("companies>emails", new int[] {185, 0}));

  final Clock clock;
  final Duration searchLag;
  final Map<String, ObjectTable> tables = new LinkedHashMap<>();
  /** The app's webhooks journal: subscriptions and the events they matched. */
  final ChangeJournal journal = new ChangeJournal();
  final List<Owner> owners = new ArrayList<>();
  /** The portal's time zone (Settings > Account defaults), which GET /account-info/v3/details reports. */
  volatile String portalTimeZone = "US/Eastern";
  /** The company currency (Settings > Account defaults > Currency) and the portal's exchange rates against it. */
  volatile String companyCurrency = "USD";
  final List<ExchangeRate> exchangeRates = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Every deal stage of every deal pipeline, in display order within each pipeline. */
  final List<Stage> stages = new ArrayList<>();
  final Map<String, Pipeline> pipelines = new LinkedHashMap<>();
  final Map<String, Integer> userLabels = new LinkedHashMap<>();
  /** "from>to" -> the USER_DEFINED type ids defined for that pair of object types. */
  private final Map<String, java.util.Set<Integer>> pairLabels = new LinkedHashMap<>();
  // "from>to" -> from id -> to id -> types
  private final Map<String, Map<Long, Map<Long, List<AssocType>>>> associations = new LinkedHashMap<>();
  private final AtomicLong ids = new AtomicLong(10_000_000L);
  /**
   * Reads (GET) share the portal, every other request has it alone: HubSpot serves a client's
   * concurrent reads side by side, and so does the sandbox; a read never changes the state.
   */
  private final java.util.concurrent.locks.ReentrantReadWriteLock lock = new java.util.concurrent.locks.ReentrantReadWriteLock();

  /** {@code body}'s answer, read beside other reads. */
  <T> T reading(java.util.function.Supplier<T> body) {
    return holding(lock.readLock(), body);
  }

  /** {@code body}'s answer, with the portal to itself. */
  <T> T writing(java.util.function.Supplier<T> body) {
    return holding(lock.writeLock(), () -> {
      try {
        return body.get();
      } finally {
        // the events of one write request become one journal entry
        journal.flush(now());
      }
    });
  }

  private static <T> T holding(java.util.concurrent.locks.Lock held, java.util.function.Supplier<T> body) {
    held.lock();
    try {
      return body.get();
    } finally {
      held.unlock();
    }
  }

  SandboxState(Clock clock, Duration searchLag, boolean bare) {
    this.clock = clock;
    this.searchLag = searchLag;
    HubSpotSchema.define(this, bare);
    // HubSpot documents createdAt 0 for an account's default pipeline; its stages are as old
    pipelines.put(PIPELINE_ID, new Pipeline(PIPELINE_ID, "Field sales pipeline", 0, Instant.EPOCH, now()));
    int order = 0;
    for (var s : DemoOrg.Stage.values()) {
      stages.add(new Stage(stageId(s), s.label(), order++, s.closed(),
          Double.toString(s.probability() / 100.0), PIPELINE_ID, Instant.EPOCH, Instant.EPOCH));
    }
  }

  /**
   * Sets the company currency and the exchange rates of the other currencies: deal_currency_code
   * then accepts exactly these currencies, as HubSpot validates it.
   */
  void currencies(String company, List<ExchangeRate> rates) {
    companyCurrency = company;
    exchangeRates.clear();
    exchangeRates.addAll(rates);
    HubSpotSchema.dealCurrencies(this);
  }

  /** The id of the stock portal's second deal pipeline (HubSpot gives pipelines a portal creates numeric ids). */
  static final String RENEWALS_PIPELINE_ID = "21984736";

  /** Whether the portal is in its stock shape ({@link #useStockShape}): HubSpot's own pipelines and no custom inputs. */
  volatile boolean stock;

  /**
   * Puts the portal in a stock portal's shape: two deal pipelines, HubSpot's default sales pipeline
   * (its stage ids and default probabilities) and a second one the portal added (numeric ids), and
   * none of the custom input properties a field-sales portal adds (coordinates, hours, tier,
   * cadence, buying role, next-step date, mutual action plan, check-in coordinates); salesos's own
   * properties stay as the options chose. Only on an empty portal.
   */
  void useStockShape() {
    if (tables.get("deals").count(false) + tables.get("deals").count(true) > 0) {
      throw new IllegalStateException("the portal already holds deals; choose the stock shape before seeding");
    }
    stock = true;
    pipelines.clear();
    stages.clear();
    pipelines.put(PIPELINE_ID, new Pipeline(PIPELINE_ID, "Sales Pipeline", 0, Instant.EPOCH, now()));
    pipelines.put(RENEWALS_PIPELINE_ID, new Pipeline(RENEWALS_PIPELINE_ID, "Renewals", 1, now(), now()));
    String[][] sales = {{"appointmentscheduled", "Appointment Scheduled", "0.2", "false"},
        {"qualifiedtobuy", "Qualified To Buy", "0.4", "false"}, {"presentationscheduled", "Presentation Scheduled", "0.6", "false"},
        {"decisionmakerboughtin", "Decision Maker Bought-In", "0.8", "false"}, {"contractsent", "Contract Sent", "0.9", "false"},
        {"closedwon", "Closed Won", "1.0", "true"}, {"closedlost", "Closed Lost", "0.0", "true"}};
    String[][] renewals = {{"21984737", "Renewal Due", "0.2", "false"}, {"21984738", "Usage Review", "0.4", "false"},
        {"21984739", "Renewal Proposal", "0.6", "false"}, {"21984740", "Negotiation", "0.8", "false"},
        {"21984741", "Renewed", "1.0", "true"}, {"21984742", "Churned", "0.0", "true"}};
    for (var pipeline : List.of(Map.entry(PIPELINE_ID, sales), Map.entry(RENEWALS_PIPELINE_ID, renewals))) {
      int order = 0;
      for (var st : pipeline.getValue()) {
        stages.add(new Stage(st[0], st[1], order++, Boolean.parseBoolean(st[3]), st[2], pipeline.getKey(), Instant.EPOCH,
            Instant.EPOCH));
      }
    }
    var deals = tables.get("deals");
    var old = deals.definitions.get("dealstage");
    deals.define(new PropertyDef(old.name(), old.label(), old.type(), old.fieldType(), old.groupName(),
        stages.stream().map(Stage::id).distinct().toList(), old.hasUniqueValue(), old.readOnly(), old.hubspotDefined(),
        old.description()));
    for (var t : tables.values()) {
      t.definitions.values().removeIf(d -> !d.hubspotDefined() && !d.groupName().equals(HubSpotSchema.SALESOS_GROUP));
    }
  }

  /**
   * Where a demo deal stands in the stock portal: every third deal in the Renewals pipeline, the
   * others in the sales pipeline, the demo's open stages onto each pipeline's open stages in order
   * (two demo stages share one where a pipeline has fewer), won and lost onto its closed stages.
   */
  static Map.Entry<String, String> stockPlacement(int dealIndex, DemoOrg.Stage stage) {
    boolean renewal = dealIndex % 3 == 2;
    String[] salesIds = {"appointmentscheduled", "appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
        "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"};
    String[] renewalIds = {"21984737", "21984737", "21984738", "21984739", "21984740", "21984740", "21984741", "21984742"};
    return Map.entry(renewal ? RENEWALS_PIPELINE_ID : PIPELINE_ID, (renewal ? renewalIds : salesIds)[stage.ordinal()]);
  }

  /** The pipeline stage id the sandbox uses for a canonical stage ("Verbal Commit" -> verbalcommit). */
  static String stageId(DemoOrg.Stage stage) {
    return stage.label().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  Optional<Stage> stage(String id) {
    return stages.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  long nextId() {
    return ids.incrementAndGet();
  }

  /** Now on the server clock, to the millisecond, as HubSpot stamps records. */
  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /**
   * The table for a path segment, which HubSpot accepts as the plural name ({@code deals}), the
   * singular ({@code deal}, {@code company}) or the type id ({@code 0-3}).
   */
  Optional<ObjectTable> table(String segment) {
    var name = segment.toLowerCase(Locale.ROOT);
    var t = tables.get(name);
    if (t == null) {
      t = tables.get(name.equals("company") ? "companies" : name + "s");
    }
    if (t == null) {
      t = tables.values().stream().filter(x -> x.typeId.equals(segment)).findFirst().orElse(null);
    }
    return Optional.ofNullable(t);
  }

  /** Derived deal properties HubSpot computes from the stage: probability and closed flags. */
  void deriveDeal(Map<String, String> props) {
    var stageId = props.get("dealstage");
    if (stageId == null) {
      return;
    }
    stage(stageId).ifPresent(s -> {
      props.put("hs_deal_stage_probability", s.probability());
      props.put("hs_is_closed", Boolean.toString(s.closed()));
      props.put("hs_is_closed_won", Boolean.toString(s.closed() && new java.math.BigDecimal(s.probability())
          .compareTo(java.math.BigDecimal.ONE) == 0));
    });
  }

  int[] typeIds(String from, String to) {
    var standard = TYPE_IDS.get(from + ">" + to);
    return standard != null ? standard : customTypeIds.getOrDefault(from + ">" + to, new int[] {0, 0});
  }

  /** A custom object's definition, as the schemas API keeps it. */
  record CustomSchema(String id, String objectTypeId, String name, String fullyQualifiedName, String singular, String plural,
      String primaryDisplayProperty, List<String> required, List<String> searchable, List<String> secondary,
      List<SchemaAssociation> associations, Instant createdAt, Instant updatedAt) {}

  /** One association a schema defines, with the type id its records are associated by. */
  record SchemaAssociation(String id, String fromObjectTypeId, String toObjectTypeId, String name) {}

  /** Custom object schemas by object type id, in the order they were defined. */
  final Map<String, CustomSchema> schemas = new LinkedHashMap<>();
  /** "from>to" -> the default association type id of a pair involving a custom object (no primary type). */
  private final Map<String, int[]> customTypeIds = new java.util.HashMap<>();
  private int nextSchemaId = 8_201_000;
  private int nextAssociationTypeId = 600;

  /**
   * Defines a custom object (the schemas API validated the request): its record table under the
   * fully qualified name, its properties plus the ones HubSpot adds to every custom object, and an
   * association type each way with each of {@code targets}.
   */
  CustomSchema defineCustomObject(String name, String singular, String plural, String primary, List<String> required,
      List<String> searchable, List<String> secondary, List<PropertyDef> properties, List<ObjectTable> targets) {
    var id = Integer.toString(nextSchemaId++);
    var objectTypeId = "2-" + id;
    var fqn = "p" + AccountEndpoint.PORTAL_ID + "_" + name.toLowerCase(Locale.ROOT);
    var table = new ObjectTable(fqn, objectTypeId, "hs_lastmodifieddate",
        List.of("hs_createdate", "hs_lastmodifieddate", "hs_object_id"));
    properties.forEach(table::define);
    table.define(PropertyDef.readOnly("hs_object_id", "number"));
    table.define(PropertyDef.readOnly("hs_createdate", "datetime"));
    table.define(PropertyDef.readOnly("createdate", "datetime"));
    table.define(PropertyDef.readOnly("hs_lastmodifieddate", "datetime"));
    tables.put(fqn, table);
    var associations = new ArrayList<SchemaAssociation>();
    for (var target : targets) {
      int forward = nextAssociationTypeId++;
      int reverse = nextAssociationTypeId++;
      customTypeIds.put(fqn + ">" + target.name, new int[] {forward, 0});
      customTypeIds.put(target.name + ">" + fqn, new int[] {reverse, 0});
      associations.add(new SchemaAssociation(Integer.toString(forward), objectTypeId, target.typeId,
          name.toLowerCase(Locale.ROOT) + "_to_" + target.name));
    }
    var now = now();
    var schema = new CustomSchema(id, objectTypeId, name, fqn, singular, plural, primary, List.copyOf(required),
        List.copyOf(searchable), List.copyOf(secondary), List.copyOf(associations), now, now);
    schemas.put(objectTypeId, schema);
    return schema;
  }

  /** The USER_DEFINED label's type id, created on first use as HubSpot does in settings. */
  int labelTypeId(String label) {
    return userLabels.computeIfAbsent(label, l -> 1000 + userLabels.size() + 1);
  }

  /** Associates two records both ways with the default type, plus extra types on the forward edge. */
  void associate(String from, long fromId, String to, long toId, List<AssocType> extra) {
    var forward = new ArrayList<AssocType>();
    var reverse = new ArrayList<AssocType>();
    int[] f = typeIds(from, to);
    int[] r = typeIds(to, from);
    forward.add(new AssocType("HUBSPOT_DEFINED", f[0], null));
    reverse.add(new AssocType("HUBSPOT_DEFINED", r[0], null));
    forward.addAll(extra);
    extra.stream().filter(t -> t.category().equals("USER_DEFINED")).forEach(t -> pairLabel(from, to, t.typeId()));
    for (var t : extra) {
      if (t.category().equals("HUBSPOT_DEFINED") && t.typeId() == f[1] && r[1] != 0) {
        reverse.add(new AssocType("HUBSPOT_DEFINED", r[1], "Primary"));
      }
    }
    edges(from, to).computeIfAbsent(fromId, k -> new LinkedHashMap<>()).merge(toId, forward, SandboxState::union);
    edges(to, from).computeIfAbsent(toId, k -> new LinkedHashMap<>()).merge(fromId, reverse, SandboxState::union);
  }

  /** Makes a USER_DEFINED type id a label of the pair of object types. */
  void pairLabel(String from, String to, int typeId) {
    pairLabels.computeIfAbsent(from + ">" + to, k -> new java.util.LinkedHashSet<>()).add(typeId);
  }

  void unpairLabel(String from, String to, int typeId) {
    pairLabels.getOrDefault(from + ">" + to, new java.util.HashSet<>()).remove(typeId);
  }

  /** The USER_DEFINED type ids of a pair of object types, in the order they were defined. */
  java.util.Set<Integer> pairLabels(String from, String to) {
    return pairLabels.getOrDefault(from + ">" + to, java.util.Set.of());
  }

  /** Removes some types from an edge (not its default type); the edge itself stays. */
  void removeTypes(String from, long fromId, String to, long toId, List<AssocType> types) {
    var forward = edges(from, to).get(fromId);
    if (forward == null || !forward.containsKey(toId)) {
      return;
    }
    int defaultType = typeIds(from, to)[0];
    var kept = forward.get(toId).stream().filter(t -> t.typeId() == defaultType && t.category().equals("HUBSPOT_DEFINED")
        || types.stream().noneMatch(x -> x.typeId() == t.typeId() && x.category().equals(t.category()))).toList();
    forward.put(toId, kept);
  }

  void dissociate(String from, long fromId, String to, long toId) {
    edges(from, to).getOrDefault(fromId, new LinkedHashMap<>()).remove(toId);
    edges(to, from).getOrDefault(toId, new LinkedHashMap<>()).remove(fromId);
  }

  /** Moves every association of record {@code fromId} to record {@code toId} (both of {@code type}), as a merge does. */
  void moveAssociations(String type, long fromId, long toId) {
    for (var key : List.copyOf(associations.keySet())) {
      if (!key.startsWith(type + ">")) {
        continue;
      }
      var other = key.substring(type.length() + 1);
      var targets = associations.get(key).remove(fromId);
      if (targets == null) {
        continue;
      }
      targets.forEach((target, types) -> {
        edges(other, type).getOrDefault(target, new LinkedHashMap<>()).remove(fromId);
        if (!(other.equals(type) && target == toId)) {
          associate(type, toId, other, target, types.stream()
              .filter(t -> !t.category().equals("HUBSPOT_DEFINED") || t.typeId() != typeIds(type, other)[0]).toList());
        }
      });
    }
  }

  /** Drops every association of a record, as a permanent delete does. */
  void dropAssociations(String type, long id) {
    for (var key : List.copyOf(associations.keySet())) {
      if (!key.startsWith(type + ">")) {
        continue;
      }
      var other = key.substring(type.length() + 1);
      var targets = associations.get(key).remove(id);
      if (targets != null) {
        targets.keySet().forEach(target -> edges(other, type).getOrDefault(target, new LinkedHashMap<>()).remove(id));
      }
    }
  }

  /** Read-only (it may run beside other reads): a pair never associated has no edge map yet. */
  Map<Long, List<AssocType>> associationsOf(String from, long fromId, String to) {
    var edges = associations.get(from + ">" + to);
    return edges == null ? Map.of() : edges.getOrDefault(fromId, Map.of());
  }

  private Map<Long, Map<Long, List<AssocType>>> edges(String from, String to) {
    return associations.computeIfAbsent(from + ">" + to, k -> new java.util.HashMap<>());
  }

  private static List<AssocType> union(List<AssocType> a, List<AssocType> b) {
    var out = new ArrayList<>(a);
    for (var t : b) {
      if (!out.contains(t)) {
        out.add(t);
      }
    }
    return out;
  }
}
