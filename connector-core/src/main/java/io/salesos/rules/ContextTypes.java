package io.salesos.rules;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.salesos.model.CanonicalSchema;
import io.salesos.model.FieldType;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How the canonical context looks from CEL. Each canonical object is a struct type whose fields
 * are the schema's, so the checker rejects {@code deal.amuont} and {@code deal.amount > 'x'} at
 * load time. Values: money and percents are CEL doubles (CEL has no decimal; the engine keeps
 * BigDecimal for rollups), dates are timestamps at UTC midnight, datetimes are timestamps,
 * integers are ints. At run time a struct is a read-only map view over a {@link CrmRecord}, so an
 * absent field is a missing key that {@code has()} tests.
 */
final class ContextTypes implements CelTypeProvider {

  static final String DEAL = "salesos.Deal";
  static final String ACCOUNT = "salesos.Account";
  static final String CONTACT = "salesos.Contact";
  static final String ACTIVITY = "salesos.Activity";
  static final String STAGE_CHANGE = "salesos.StageChange";
  static final String OWNER = "salesos.Owner";

  private final Map<String, Map<String, FieldType>> fieldsByType = new LinkedHashMap<>();
  private final Map<String, StructType> structs = new LinkedHashMap<>();
  private final Map<SubjectKind, Map<String, CelType>> variables = new LinkedHashMap<>();

  ContextTypes(RuleVocabulary vocabulary) {
    // where the deal stands, from its connection's stages (see StageFacts): pipeline label, position, default probability
    declare(DEAL, CanonicalSchema.DEAL, vocabulary, Map.of("pipeline", FieldType.STRING, "stage_order", FieldType.INTEGER,
        "stage_probability", FieldType.PERCENT));
    declare(ACCOUNT, CanonicalSchema.ACCOUNT, vocabulary, Map.of());
    // a contact on a deal also carries its deal role (deal_contact.role, deal_contact.is_primary)
    declare(CONTACT, CanonicalSchema.CONTACT, vocabulary, Map.of("role", FieldType.STRING, "is_primary", FieldType.BOOLEAN));
    declare(ACTIVITY, CanonicalSchema.ACTIVITY, vocabulary, Map.of());
    declare(STAGE_CHANGE, CanonicalSchema.STAGE_HISTORY, vocabulary, Map.of());
    declare(OWNER, CanonicalSchema.OWNER, vocabulary, Map.of("tz", FieldType.STRING));

    var deal = structs.get(DEAL);
    var account = structs.get(ACCOUNT);
    var contact = structs.get(CONTACT);
    var activity = structs.get(ACTIVITY);
    var owner = structs.get(OWNER);
    variables.put(SubjectKind.DEAL, vars("deal", deal, "account", account, "contacts", ListType.create(contact),
        "activities", ListType.create(activity), "stage_history", ListType.create(structs.get(STAGE_CHANGE)),
        "owner", owner));
    variables.put(SubjectKind.CONTACT, vars("contact", contact, "account", account,
        "activities", ListType.create(activity), "owner", owner));
    variables.put(SubjectKind.ACCOUNT, vars("account", account, "contacts", ListType.create(contact),
        "deals", ListType.create(deal), "activities", ListType.create(activity), "owner", owner));
    variables.put(SubjectKind.ACTIVITY, vars("activity", activity, "account", account, "deal", deal,
        "contact", contact, "owner", owner));
  }

  private void declare(String typeName, String object, RuleVocabulary vocabulary, Map<String, FieldType> extra) {
    var fields = new LinkedHashMap<String, FieldType>();
    fields.put("id", FieldType.ID);
    fields.putAll(CanonicalSchema.standardFields(object));
    fields.putAll(vocabulary.customFields().getOrDefault(object, Map.of()));
    fields.putAll(extra);
    fieldsByType.put(typeName, fields);
    var celFields = new HashMap<String, CelType>();
    fields.forEach((k, v) -> celFields.put(k, celType(v)));
    var names = new LinkedHashSet<>(fields.keySet());
    // each relation to an org's own object is a list of typed rows: account.site_visits
    vocabulary.relations().getOrDefault(object, Map.of()).forEach((relation, rowFields) -> {
      var rowType = RELATION_PREFIX + object + "." + relation;
      var row = new LinkedHashMap<String, FieldType>();
      row.put("id", FieldType.ID);
      row.putAll(rowFields);
      fieldsByType.put(rowType, row);
      var rowCel = new HashMap<String, CelType>();
      row.forEach((k, v) -> rowCel.put(k, celType(v)));
      var struct = StructType.create(rowType, ImmutableSet.copyOf(row.keySet()), f -> Optional.ofNullable(rowCel.get(f)));
      structs.put(rowType, struct);
      celFields.put(relation, ListType.create(struct));
      names.add(relation);
    });
    structs.put(typeName, StructType.create(typeName, ImmutableSet.copyOf(names),
        f -> Optional.ofNullable(celFields.get(f))));
  }

  /** The prefix of the CEL type of a relation's rows ({@code salesos.relation.account.site_visits}). */
  static final String RELATION_PREFIX = "salesos.relation.";

  private static Map<String, CelType> vars(Object... pairs) {
    var m = new LinkedHashMap<String, CelType>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (CelType) pairs[i + 1]);
    }
    m.put("now", SimpleType.TIMESTAMP);
    return m;
  }

  static CelType celType(FieldType t) {
    return switch (t) {
      case STRING, TEXT, ID -> SimpleType.STRING;
      case DECIMAL, PERCENT, DOUBLE -> SimpleType.DOUBLE;
      case INTEGER -> SimpleType.INT;
      case BOOLEAN -> SimpleType.BOOL;
      case DATE, DATETIME -> SimpleType.TIMESTAMP;
    };
  }

  /** The CEL variables a rule about {@code kind} may use, with their types. */
  Map<String, CelType> variables(SubjectKind kind) {
    return variables.get(kind);
  }

  /** Field names of a struct type, for error messages that suggest the right one. */
  Set<String> fieldNames(String typeName) {
    return new LinkedHashSet<>(fieldsByType.getOrDefault(typeName, Map.of()).keySet());
  }

  @Override
  public ImmutableList<CelType> types() {
    return ImmutableList.copyOf(structs.values());
  }

  @Override
  public Optional<CelType> findType(String name) {
    return Optional.ofNullable(structs.get(name));
  }

  // ---- run time: read-only views, so evaluation copies nothing per subject ----

  /** The activation key of the run's {@link OrgCalendar}; not a name a rule can use (it is not an identifier). */
  static final String ORG = "@org";

  /** The CEL activation for one subject at {@code now}. */
  static Map<String, Object> activation(Subject subject, java.time.Instant now) {
    return activation(subject, now, OrgCalendar.DEFAULT);
  }

  /** The CEL activation for one subject at {@code now}, the owner's {@code tz} from the org's calendars. */
  static Map<String, Object> activation(Subject subject, java.time.Instant now, OrgCalendar org) {
    var m = new HashMap<String, Object>(16);
    // Java 17: no pattern switch yet, so instanceof over the sealed set
    if (subject instanceof DealContext d) {
        m.put("deal", view(d.deal()));
        m.put("account", view(d.account()));
        var contacts = new Object[d.contacts().size()];
        for (int i = 0; i < contacts.length; i++) {
          var dc = d.contacts().get(i);
          contacts[i] = new RecordView(dc.contact(), dc.role(), dc.primary(), null);
        }
        m.put("contacts", Arrays.asList(contacts));
        m.put("activities", views(d.activities()));
        m.put("stage_history", views(d.stageHistory()));
        m.put("owner", owner(d.owner(), org));
    } else if (subject instanceof ContactContext c) {
        m.put("contact", view(c.contact()));
        m.put("account", view(c.account()));
        m.put("activities", views(c.activities()));
        m.put("owner", owner(c.owner(), org));
    } else if (subject instanceof AccountContext a) {
        m.put("account", view(a.account()));
        m.put("contacts", views(a.contacts()));
        m.put("deals", views(a.deals()));
        m.put("activities", views(a.activities()));
        m.put("owner", owner(a.owner(), org));
    } else if (subject instanceof ActivityContext a) {
        m.put("activity", view(a.activity()));
        m.put("account", view(a.account()));
        m.put("deal", view(a.deal()));
        m.put("contact", view(a.contact()));
        m.put("owner", owner(a.owner(), org));
    }
    m.put("now", now);
    // not a CEL variable: the closure evaluator reads the run's calendars from here (CEL's own
    // interpreter gets them through the late-bound functions)
    m.put(ORG, org);
    return m;
  }

  static Map<String, Object> view(CrmRecord r) {
    return new RecordView(r, null, false, null);
  }

  /** An owner with {@code tz}: the zone the rep works in, or none when the CRM's zone is not a zone id. */
  static Map<String, Object> owner(CrmRecord r, OrgCalendar org) {
    return new RecordView(r, null, false, org.zoneOf(r.isEmpty() ? "" : r.id()).orElse(null));
  }

  static List<Object> views(List<CrmRecord> records) {
    // built once per activation: rules iterate these lists many times per subject
    var out = new Object[records.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = view(records.get(i));
    }
    return Arrays.asList(out);
  }

  /** Converts a stored value to what CEL expects for it. */
  static Object toCel(Object v) {
    if (v instanceof String) {
      // most fields: asked first, as the hot path reads them
      return v;
    }
    if (v instanceof List<?> l && (l.isEmpty() || l.get(0) instanceof CrmRecord)) {
      // a relation's rows (account.site_visits), each a read-only view as the record itself is
      @SuppressWarnings("unchecked")
      var rows = (List<CrmRecord>) l;
      return views(rows);
    }
    if (v instanceof BigDecimal b) {
      return b.doubleValue();
    }
    if (v instanceof LocalDate d) {
      return d.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    if (v instanceof Integer i) {
      return i.longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    return v;
  }

  /** A record seen as a CEL struct: id plus its fields, converted on read; deal roles when on a deal. */
  private static final class RecordView extends AbstractMap<String, Object> {
    private final CrmRecord record;
    private final String role;
    private final boolean primary;
    private final String tz;

    RecordView(CrmRecord record, String role, boolean primary, String tz) {
      this.record = record;
      this.role = role;
      this.primary = primary;
      this.tz = tz;
    }

    @Override
    public Object get(Object key) {
      if ("id".equals(key)) {
        return record.isEmpty() ? null : record.id();
      }
      if (tz != null && "tz".equals(key)) {
        return tz;
      }
      if (role != null) {
        if ("role".equals(key)) {
          return role;
        }
        if ("is_primary".equals(key)) {
          return primary;
        }
      }
      return toCel(record.values().get(key));
    }

    @Override
    public boolean containsKey(Object key) {
      if ("id".equals(key) || tz != null && "tz".equals(key) || role != null && ("role".equals(key) || "is_primary".equals(key))) {
        return get(key) != null;
      }
      // a record holds no null value and converting one never gives null: has() needs no conversion
      return record.values().containsKey(key);
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      var m = new LinkedHashMap<String, Object>();
      if (!record.isEmpty()) {
        m.put("id", record.id());
      }
      record.values().forEach((k, v) -> m.put(k, toCel(v)));
      if (tz != null) {
        m.put("tz", tz);
      }
      if (role != null) {
        m.put("role", role);
        m.put("is_primary", primary);
      }
      return m.entrySet();
    }
  }
}
