package io.salesos.salesforce.sandbox;

import io.salesos.salesforce.sandbox.OrgSchema.FieldDef;
import io.salesos.salesforce.sandbox.OrgSchema.ObjectDef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.EncoderFactory;

/**
 * The org's Change Data Capture event bus: every create, update, delete and undelete the org
 * commits on an object selected for Change Data Capture becomes a change event, Avro-encoded in its
 * entity's schema with a ChangeEventHeader, under an increasing replay id, kept 72 hours of the
 * sandbox clock. Subscriptions (the Pub/Sub endpoint) are told of each new event. Fault switches
 * turn the next changes into gap events, publish an overflow event, expire stored replay ids and
 * drop the live subscriptions. Facts and sources: docs/change-streams.md.
 */
final class ChangeEventBus implements OrgStore.ChangeCapture {

  /** How long the event bus keeps change events (Salesforce: 72 hours). */
  static final Duration RETENTION = Duration.ofHours(72);
  /** The objects a sandbox org has selected for Change Data Capture (Setup > Change Data Capture). */
  static final Set<String> DEFAULT_SELECTION = Set.of("Account", "Contact", "Lead", "Opportunity", "Task", "Event", "User");
  static final String ALL_CHANNEL = "/data/ChangeEvents";
  private static final String NAMESPACE = "com.sforce.eventbus";
  static final List<String> CHANGE_TYPES = List.of("CREATE", "UPDATE", "DELETE", "UNDELETE", "GAP_CREATE",
      "GAP_UPDATE", "GAP_DELETE", "GAP_UNDELETE", "GAP_OVERFLOW", "SNAPSHOT");
  /** Fields a change event does not carry: the record id is in the header, the rest are system-kept. */
  private static final Set<String> NOT_CARRIED = Set.of("Id", "IsDeleted", "SystemModstamp");

  /** One retained event: its replay id, entity, schema id and Avro payload. */
  record Event(long replayId, String entity, String schemaId, byte[] payload, Instant committed, String changeType) {}

  /** A live subscriber, told when events were published and when its subscription is dropped. */
  interface Listener {
    void published();

    void dropped(String why);
  }

  private final OrgSchema schema;
  private final Clock clock;
  private final String orgId;
  private final Set<String> selection = new LinkedHashSet<>(DEFAULT_SELECTION);
  private final List<Event> events = new ArrayList<>();
  private final Map<String, String> schemaJson = new HashMap<>();
  private final Map<String, Schema> schemaByKey = new HashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  /** The last replay id issued: the bus starts at an arbitrary point, as a real org's stream has a history. */
  private long lastIssued = 7_000_000L;
  /** Replay ids up to this one name events the bus no longer keeps. */
  private long purgedThrough = lastIssued - 1;
  private long commitNumber = 10_000_000_000L;
  private String transactionKey = UUID.randomUUID().toString();
  private int sequence;
  private int gapsToEmit;

  ChangeEventBus(OrgSchema schema, Clock clock, String orgId) {
    this.schema = schema;
    this.clock = clock;
    this.orgId = orgId;
  }

  // ---- capture (called by OrgStore inside its own lock) ----

  @Override
  public synchronized void begin() {
    transactionKey = UUID.randomUUID().toString();
    sequence = 0;
    commitNumber++;
  }

  @Override
  public void changed(ObjectDef type, String id, String changeType, Map<String, Object> before,
      Map<String, Object> after, Instant commit, String userId) {
    synchronized (this) {
      if (!selected(type.name())) {
        return;
      }
      var kind = changeType;
      if (gapsToEmit > 0) {
        gapsToEmit--;
        kind = "GAP_" + changeType;
      }
      var s = schemaOf(type);
      var record = new GenericData.Record(s);
      var changed = new ArrayList<String>();
      var nulled = new ArrayList<String>();
      var fields = s.getFields();
      for (int pos = 1; pos < fields.size(); pos++) {
        var name = fields.get(pos).name();
        var def = type.field(name).orElseThrow();
        Object value = null;
        switch (kind) {
          case "CREATE", "UNDELETE" -> value = avroValue(def, after.get(name));
          case "UPDATE" -> {
            var was = before == null ? null : before.get(name);
            var now = after.get(name);
            // Salesforce lists LastModifiedDate among the changed fields of every update
            if (!sameValue(was, now) || name.equals("LastModifiedDate")) {
              changed.add(name);
              value = avroValue(def, now);
              if (now == null) {
                nulled.add(name);
              }
            }
          }
          default -> { }
        }
        record.put(name, value);
      }
      if (kind.equals("UPDATE") && changed.stream().allMatch("LastModifiedDate"::equals)) {
        return; // a save that changed nothing the event carries publishes nothing
      }
      record.put("ChangeEventHeader", header(s, type.name(), List.of(id), kind, commit, userId,
          bitmap(s, changed), bitmap(s, nulled)));
      publish(type.name(), s, record, commit, kind);
    }
    listeners.forEach(Listener::published);
  }

  private GenericData.Record header(Schema s, String entity, List<String> ids, String kind, Instant commit,
      String userId, List<String> changed, List<String> nulled) {
    var hs = s.getField("ChangeEventHeader").schema();
    var h = new GenericData.Record(hs);
    h.put("entityName", entity);
    h.put("recordIds", ids);
    h.put("changeType", new GenericData.EnumSymbol(hs.getField("changeType").schema(), kind));
    // the API that made the change: the sandbox's own SOAP endpoint (set when an API client made it)
    h.put("changeOrigin", "com/salesforce/api/soap/" + SalesforceSandbox.DEFAULT_API_VERSION + ";client=sandbox");
    h.put("transactionKey", transactionKey);
    h.put("sequenceNumber", ++sequence);
    h.put("commitTimestamp", commit.toEpochMilli());
    h.put("commitNumber", commitNumber);
    h.put("commitUser", userId == null ? "" : userId);
    h.put("nulledFields", nulled);
    h.put("diffFields", List.of());
    h.put("changedFields", changed);
    return h;
  }

  private void publish(String entity, Schema s, GenericData.Record record, Instant commit, String kind) {
    purgeExpired();
    var out = new ByteArrayOutputStream();
    try {
      var encoder = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericData.Record>(s).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    lastIssued++;
    events.add(new Event(lastIssued, entity, schemaId(s), out.toByteArray(), commit, kind));
  }

  /**
   * The bitmap form Pub/Sub API gives changedFields and nulledFields: one hex string whose bit n
   * (counted from the least significant) marks the schema's field at position n. Empty when none.
   */
  static List<String> bitmap(Schema s, List<String> names) {
    if (names.isEmpty()) {
      return List.of();
    }
    var bits = BigInteger.ZERO;
    for (var n : names) {
      bits = bits.setBit(s.getField(n).pos());
    }
    var hex = bits.toString(16).toUpperCase(Locale.ROOT);
    return List.of("0x" + (hex.length() % 2 == 1 ? "0" + hex : hex));
  }

  private static boolean sameValue(Object a, Object b) {
    if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
      return x.compareTo(y) == 0;
    }
    return Objects.equals(a, b);
  }

  private static Object avroValue(FieldDef def, Object v) {
    if (v == null) {
      return null;
    }
    return switch (avroType(def)) {
      case DOUBLE -> v instanceof Number n ? n.doubleValue() : Double.valueOf(v.toString());
      case INT -> v instanceof Number n ? n.intValue() : Integer.valueOf(v.toString());
      case BOOLEAN -> v instanceof Boolean b ? b : Boolean.valueOf(v.toString());
      case LONG -> v instanceof Instant i ? i.toEpochMilli()
          : v instanceof LocalDate d ? d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()
          : Long.valueOf(v.toString());
      default -> v.toString();
    };
  }

  private static Schema.Type avroType(FieldDef f) {
    return switch (f.type()) {
      case "currency", "double", "percent" -> Schema.Type.DOUBLE;
      case "int" -> Schema.Type.INT;
      case "boolean" -> Schema.Type.BOOLEAN;
      // date and date/time values travel as epoch milliseconds
      case "date", "datetime" -> Schema.Type.LONG;
      default -> Schema.Type.STRING;
    };
  }

  // ---- schemas ----

  boolean selected(String entity) {
    synchronized (this) {
      return selection.stream().anyMatch(e -> e.equalsIgnoreCase(entity));
    }
  }

  synchronized void select(Set<String> entities) {
    selection.clear();
    selection.addAll(entities);
  }

  synchronized Set<String> selection() {
    return Set.copyOf(selection);
  }

  /** The entity a topic carries, or empty for the all-entities channel; fails for a topic the org does not have. */
  Optional<String> entityOf(String topic) {
    if (topic.equals(ALL_CHANNEL)) {
      return Optional.empty();
    }
    if (topic.startsWith("/data/") && topic.endsWith("ChangeEvent")) {
      var name = topic.substring("/data/".length(), topic.length() - "ChangeEvent".length());
      var entity = name.endsWith("__") ? name + "c" : name;
      synchronized (this) {
        for (var e : selection) {
          if (e.equals(entity)) {
            return Optional.of(e);
          }
        }
      }
    }
    throw new IllegalArgumentException(topic);
  }

  /** The current schema of an entity's change events (a field added through the Metadata API changes it). */
  synchronized Schema schemaOf(String entity) {
    return schemaOf(schema.object(entity).orElseThrow(() -> new IllegalArgumentException(entity)));
  }

  private Schema schemaOf(ObjectDef type) {
    var fields = SchemaBuilder.record(eventName(type.name())).namespace(NAMESPACE).fields();
    var header = SchemaBuilder.record("ChangeEventHeader").namespace(NAMESPACE).fields()
        .name("entityName").type().stringType().noDefault()
        .name("recordIds").type().array().items().stringType().noDefault()
        .name("changeType").type().enumeration("ChangeType").namespace(NAMESPACE)
        .symbols(CHANGE_TYPES.toArray(String[]::new)).noDefault()
        .name("changeOrigin").type().stringType().noDefault()
        .name("transactionKey").type().stringType().noDefault()
        .name("sequenceNumber").type().intType().noDefault()
        .name("commitTimestamp").type().longType().noDefault()
        .name("commitNumber").type().longType().noDefault()
        .name("commitUser").type().stringType().noDefault()
        .name("nulledFields").type().array().items().stringType().noDefault()
        .name("diffFields").type().array().items().stringType().noDefault()
        .name("changedFields").type().array().items().stringType().noDefault()
        .endRecord();
    fields = fields.name("ChangeEventHeader").type(header).noDefault();
    for (var f : type.fields()) {
      if (NOT_CARRIED.contains(f.name()) || f.calculated()) {
        continue;
      }
      fields = fields.name(f.name()).type().unionOf().nullType().and().type(Schema.create(avroType(f))).endUnion()
          .nullDefault();
    }
    var built = fields.endRecord();
    var key = built.toString();
    return schemaByKey.computeIfAbsent(key, k -> {
      schemaJson.put(schemaId(built), k);
      return built;
    });
  }

  static String eventName(String entity) {
    return entity.endsWith("__c") ? entity.substring(0, entity.length() - 1) + "ChangeEvent" : entity + "ChangeEvent";
  }

  /** A schema's id: its fingerprint (the 64-bit Rabin fingerprint of its canonical form), base64url. */
  static String schemaId(Schema s) {
    var fp = SchemaNormalization.parsingFingerprint64(s);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(ByteBuffer.allocate(8).putLong(fp).array());
  }

  synchronized Optional<String> schemaJson(String schemaId) {
    return Optional.ofNullable(schemaJson.get(schemaId));
  }

  // ---- reading ----

  /** What a subscription may be told after {@code after}: the events of {@code entity} (all when empty), at most {@code max}. */
  synchronized List<Event> after(long after, Optional<String> entity, int max) {
    purgeExpired();
    var out = new ArrayList<Event>();
    for (var e : events) {
      if (e.replayId() > after && (entity.isEmpty() || entity.get().equals(e.entity()))) {
        out.add(e);
        if (out.size() == max) {
          break;
        }
      }
    }
    return out;
  }

  synchronized long latest() {
    return lastIssued;
  }

  synchronized long earliestStart() {
    purgeExpired();
    return purgedThrough;
  }

  /** Whether a subscription may start after {@code replayId}: the bus issued it and still keeps its event. */
  synchronized boolean resumable(long replayId) {
    purgeExpired();
    return replayId > purgedThrough && replayId <= lastIssued;
  }

  private void purgeExpired() {
    var cutoff = clock.instant().minus(RETENTION);
    while (!events.isEmpty() && events.get(0).committed().isBefore(cutoff)) {
      purgedThrough = events.remove(0).replayId();
    }
  }

  static byte[] encode(long replayId) {
    return ByteBuffer.allocate(8).putLong(replayId).array();
  }

  /** A replay id as the bus issues them (8 bytes); empty for anything else. */
  static Optional<Long> decode(byte[] replayId) {
    return replayId.length == 8 ? Optional.of(ByteBuffer.wrap(replayId).getLong()) : Optional.empty();
  }

  String orgId() {
    return orgId;
  }

  // ---- listeners and faults ----

  void listen(Listener l) {
    listeners.add(l);
  }

  void unlisten(Listener l) {
    listeners.remove(l);
  }

  /** The next {@code n} changes publish gap events (GAP_CREATE, GAP_UPDATE...: header only, no record fields). */
  synchronized void gapNext(int n) {
    gapsToEmit += n;
  }

  /** Publishes one overflow event (GAP_OVERFLOW) for {@code entity}, as after a transaction of over 100,000 changes. */
  void overflow(String entity) {
    synchronized (this) {
      var type = schema.object(entity).orElseThrow(() -> new IllegalArgumentException("no object " + entity));
      begin();
      var s = schemaOf(type);
      var record = new GenericData.Record(s);
      var now = clock.instant();
      record.put("ChangeEventHeader", header(s, type.name(), List.of(), "GAP_OVERFLOW", now, "", List.of(), List.of()));
      publish(type.name(), s, record, now, "GAP_OVERFLOW");
    }
    listeners.forEach(Listener::published);
  }

  /** Drops every event committed before {@code at}: a replay id of one of them can no longer be resumed from. */
  synchronized void expireBefore(Instant at) {
    while (!events.isEmpty() && events.get(0).committed().isBefore(at)) {
      purgedThrough = events.remove(0).replayId();
    }
    if (events.isEmpty()) {
      purgedThrough = lastIssued;
    }
  }

  /** Ends every live subscription with an error, as a dropped connection does. */
  void dropSubscriptions() {
    listeners.forEach(l -> l.dropped("the sandbox dropped the subscription (fault switch)"));
  }

  synchronized int retained() {
    purgeExpired();
    return events.size();
  }
}
