package io.salesos.evaluate;

import io.salesos.mirror.Database;
import io.salesos.mirror.SqlName;
import io.salesos.rules.AccountContext;
import io.salesos.rules.ActivityContext;
import io.salesos.rules.ContactContext;
import io.salesos.rules.ContextSource;
import io.salesos.rules.CrmRecord;
import io.salesos.rules.DealContact;
import io.salesos.rules.DealContext;
import io.salesos.rules.StageFacts;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The rules' view of one connection's mirror: every live record of the canonical tables read
 * once into memory (deals with their account, contact roles, activities, stage history and owner;
 * leads; accounts; recent meetings), so evaluation itself does no I/O.
 */
public final class MirrorContextSource implements ContextSource {

  /**
   * An activity the CRM keeps no start for (a Salesforce task: a logged call or email) happened
   * when it was logged, as {@link io.salesos.model.CanonicalSchema#activityAtSql} has it for the
   * status page and the audits, so the recency rules see it too.
   */
  /** A task salesos closed itself (withdrawn: its rule no longer concluded it): no evidence of anyone's work. */
  static boolean withdrawnBySalesos(CrmRecord activity) {
    return activity.string("salesos_key").isPresent() && activity.string("status").map("completed"::equals).orElse(false)
        && activity.string("body").map(b -> {
          int at = b.lastIndexOf(io.salesos.rules.DesiredStateDiff.WITHDRAWN_MARK);
          return at >= 0 && b.indexOf('\n', at) < 0;
        }).orElse(false);
  }

  static CrmRecord timed(CrmRecord activity) {
    if (activity.get("start_at").isPresent() || activity.get("created_at").isEmpty()) {
      return activity;
    }
    return activity.with("start_at", activity.get("created_at").get());
  }

  /**
   * A CRM that has no "entered this stage" field (HubSpot keeps it per stage, not for the current
   * one) still knows it from the stage history: the newest change into the deal's current stage.
   */
  static CrmRecord withStageEntered(CrmRecord deal, List<CrmRecord> history) {
    if (deal.get("stage_entered_at").isPresent() || history.isEmpty()) {
      return deal;
    }
    var stage = deal.string("stage");
    for (int i = history.size() - 1; i >= 0; i--) {
      var h = history.get(i);
      if (h.string("stage").equals(stage) && h.instant("changed_at").isPresent()) {
        return deal.with("stage_entered_at", h.instant("changed_at").get());
      }
    }
    return deal;
  }

  private static final Set<String> SYSTEM = Set.of("source", "crm_object", "id", "crm_modified_at", "deleted",
      "deleted_at", "synced_at", "row_hash");

  private final List<DealContext> deals = new ArrayList<>();
  private final List<ContactContext> contacts = new ArrayList<>();
  private final List<AccountContext> accounts = new ArrayList<>();
  private final List<ActivityContext> activities = new ArrayList<>();
  private final List<CrmRecord> owners;
  private final Map<String, Instant> dealVersions = new HashMap<>();
  private final Map<String, String> dealCrmObject = new HashMap<>();

  /** Reads the mirror of {@code source} as of {@code now}. */
  public MirrorContextSource(Database database, String source, Instant now) {
    try (var c = database.connection()) {
      // a CRM that keeps first and last names apart (HubSpot owners) still gets a display name
      owners = read(c, "owner", source, "", List.of()).stream().map(o -> o.get("name").isPresent() ? o
          : o.with("name", (o.string("first_name").orElse("") + " " + o.string("last_name").orElse("")).strip())).toList();
      var ownerById = index(owners);
      var accountList = read(c, "account", source, "", List.of());
      var accountById = index(accountList);
      var contactList = read(c, "contact", source, "", List.of());
      var contactById = index(contactList);
      var since = LocalDateTime.ofInstant(now.minus(Duration.ofDays(400)), ZoneOffset.UTC);
      var activityList = read(c, "activity", source, " AND (`start_at` IS NULL OR `start_at` >= ?)", List.of(since))
          .stream().filter(a -> !withdrawnBySalesos(a)).map(MirrorContextSource::timed).toList();
      var closedSince = LocalDateTime.ofInstant(now.minus(Duration.ofDays(90)), ZoneOffset.UTC);
      var dealList = read(c, "deal", source,
          " AND (`is_closed` IS NULL OR `is_closed` = FALSE OR `stage_entered_at` IS NULL OR `stage_entered_at` >= ?)", List.of(closedSince));
      try (var ps = c.prepareStatement("SELECT `id`, `crm_object`, `crm_modified_at` FROM `deal` WHERE `source` = ? AND `deleted` = FALSE")) {
        ps.setString(1, source);
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            dealCrmObject.put(rs.getString(1), rs.getString(2));
            dealVersions.put(rs.getString(1), rs.getObject(3, LocalDateTime.class).toInstant(ZoneOffset.UTC));
          }
        }
      }
      var roles = read(c, "deal_contact", source, "", List.of());
      // stages are read through the connection's own (mirrored) vocabulary: labels, pipeline, order, probability
      var stageFacts = new StageFacts(io.salesos.mirror.StageVocabularyStore.latest(c, source)
          .map(io.salesos.mirror.StageVocabularyStore.Versioned::vocabulary)
          .orElseGet(io.salesos.rules.RuleVocabulary::standardStages));
      dealList = dealList.stream().map(stageFacts::deal).toList();
      var history = read(c, "stage_history", source, "", List.of()).stream()
          .map(h -> stageFacts.change(h, Optional.empty())).toList();

      var byAccount = new HashMap<String, List<CrmRecord>>();
      var byDeal = new HashMap<String, List<CrmRecord>>();
      var byContact = new HashMap<String, List<CrmRecord>>();
      for (var a : activityList) {
        a.string("account_id").ifPresent(id -> byAccount.computeIfAbsent(id, k -> new ArrayList<>()).add(a));
        a.string("deal_id").ifPresent(id -> byDeal.computeIfAbsent(id, k -> new ArrayList<>()).add(a));
        a.string("contact_id").ifPresent(id -> byContact.computeIfAbsent(id, k -> new ArrayList<>()).add(a));
      }
      var rolesByDeal = new HashMap<String, List<DealContact>>();
      for (var r : roles) {
        var contact = r.string("contact_id").map(contactById::get);
        var deal = r.string("deal_id");
        if (contact.isPresent() && deal.isPresent()) {
          rolesByDeal.computeIfAbsent(deal.get(), k -> new ArrayList<>())
              .add(new DealContact(contact.get(), r.string("role").orElse(""), r.flag("is_primary")));
        }
      }
      var historyByDeal = new HashMap<String, List<CrmRecord>>();
      for (var h : history) {
        h.string("deal_id").ifPresent(id -> historyByDeal.computeIfAbsent(id, k -> new ArrayList<>()).add(h));
      }
      historyByDeal.values().forEach(l -> l.sort(Comparator.comparing(h -> h.instant("changed_at").orElse(Instant.EPOCH))));
      var openByAccount = new HashMap<String, List<CrmRecord>>();
      for (var d : dealList) {
        var accountId = d.string("account_id");
        if (!d.flag("is_closed")) {
          accountId.ifPresent(id -> openByAccount.computeIfAbsent(id, k -> new ArrayList<>()).add(d));
        }
        var acts = new ArrayList<CrmRecord>(accountId.map(id -> byAccount.getOrDefault(id, List.of())).orElse(List.of()));
        for (var a : byDeal.getOrDefault(d.id(), List.of())) {
          if (!a.string("account_id").equals(accountId)) {
            acts.add(a);
          }
        }
        var stages = historyByDeal.getOrDefault(d.id(), List.of());
        deals.add(new DealContext(withStageEntered(d, stages), accountId.map(accountById::get).orElse(null),
            rolesByDeal.getOrDefault(d.id(), List.of()), acts, stages, ownerOf(d, ownerById)));
      }
      var recent = now.minus(Duration.ofDays(30));
      for (var ct : contactList) {
        if (ct.string("lifecycle").map(l -> l.equalsIgnoreCase("lead")).orElse(false)
            || ct.instant("created_at").map(t -> t.isAfter(recent)).orElse(false)) {
          contacts.add(new ContactContext(ct, ct.string("account_id").map(accountById::get).orElse(null),
              byContact.getOrDefault(ct.id(), List.of()), ownerOf(ct, ownerById)));
        }
      }
      var contactsByAccount = new HashMap<String, List<CrmRecord>>();
      contactList.forEach(ct -> ct.string("account_id").ifPresent(id -> contactsByAccount.computeIfAbsent(id, k -> new ArrayList<>()).add(ct)));
      for (var a : accountList) {
        accounts.add(new AccountContext(a, contactsByAccount.getOrDefault(a.id(), List.of()),
            openByAccount.getOrDefault(a.id(), List.of()), byAccount.getOrDefault(a.id(), List.of()), ownerOf(a, ownerById)));
      }
      var dealById = index(dealList);
      for (var a : activityList) {
        var kind = a.string("kind").orElse("");
        var start = a.instant("start_at");
        if ((kind.equals("meeting") || kind.equals("visit")) && start.isPresent()
            && Duration.between(start.get(), now).abs().compareTo(Duration.ofDays(2)) <= 0) {
          activities.add(new ActivityContext(a, a.string("account_id").map(accountById::get).orElse(null),
              a.string("deal_id").map(dealById::get).orElse(null), a.string("contact_id").map(contactById::get).orElse(null),
              ownerOf(a, ownerById)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the mirror of " + source + " for the rules: " + e.getMessage(), e);
    }
  }

  private static CrmRecord ownerOf(CrmRecord r, Map<String, CrmRecord> owners) {
    return r.string("owner_id").map(owners::get).orElse(CrmRecord.empty());
  }

  private static Map<String, CrmRecord> index(List<CrmRecord> records) {
    var m = new HashMap<String, CrmRecord>(records.size() * 2);
    records.forEach(r -> m.put(r.id(), r));
    return m;
  }

  /** Every live row of one canonical table of one source, as typed values. */
  static List<CrmRecord> read(java.sql.Connection c, String table, String source, String extraWhere, List<Object> args)
      throws SQLException {
    var sql = "SELECT * FROM " + SqlName.of(table).quoted() + " WHERE `source` = ? AND `deleted` = FALSE" + extraWhere;
    try (var ps = c.prepareStatement(sql)) {
      ps.setString(1, source);
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(2 + i, args.get(i));
      }
      ps.setFetchSize(5000);
      try (var rs = ps.executeQuery()) {
        var meta = rs.getMetaData();
        var out = new ArrayList<CrmRecord>();
        while (rs.next()) {
          var values = new LinkedHashMap<String, Object>();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            var name = meta.getColumnLabel(i);
            if (!SYSTEM.contains(name)) {
              values.put(name, value(rs, i, meta.getColumnType(i), meta.getColumnTypeName(i), meta.getPrecision(i)));
            }
          }
          out.add(new CrmRecord(rs.getString("id"), values));
        }
        return out;
      }
    }
  }

  private static Object value(ResultSet rs, int i, int type, String typeName, int precision) throws SQLException {
    Object v = switch (type) {
      case Types.DECIMAL, Types.NUMERIC -> rs.getBigDecimal(i);
      case Types.BIGINT, Types.INTEGER, Types.SMALLINT -> rs.getObject(i) == null ? null : rs.getLong(i);
      case Types.DOUBLE, Types.FLOAT, Types.REAL -> rs.getObject(i) == null ? null : rs.getDouble(i);
      case Types.BOOLEAN, Types.BIT -> rs.getObject(i) == null ? null : rs.getBoolean(i);
      case Types.TINYINT -> rs.getObject(i) == null ? null : (precision == 1 ? (Object) rs.getBoolean(i) : (Object) rs.getLong(i));
      case Types.DATE -> rs.getObject(i, LocalDate.class);
      case Types.TIMESTAMP -> {
        var t = rs.getObject(i, LocalDateTime.class);
        yield t == null ? null : t.toInstant(ZoneOffset.UTC);
      }
      default -> rs.getString(i);
    };
    return rs.wasNull() ? null : v;
  }

  /** The deal's mirror version (its CRM modification stamp), which keys decisions taken on it. */
  public Optional<Instant> dealVersion(String dealId) {
    return Optional.ofNullable(dealVersions.get(dealId));
  }

  public Optional<String> dealCrmObject(String dealId) {
    return Optional.ofNullable(dealCrmObject.get(dealId));
  }

  /** One deal's context, for {@code explain}. */
  public Optional<DealContext> deal(String dealId) {
    return deals.stream().filter(d -> d.id().equals(dealId)).findFirst();
  }

  @Override
  public Stream<DealContext> deals() {
    return deals.stream();
  }

  @Override
  public Stream<ContactContext> contacts() {
    return contacts.stream();
  }

  @Override
  public Stream<AccountContext> accounts() {
    return accounts.stream();
  }

  @Override
  public Stream<ActivityContext> activities() {
    return activities.stream();
  }

  @Override
  public List<CrmRecord> owners() {
    return owners;
  }

}
