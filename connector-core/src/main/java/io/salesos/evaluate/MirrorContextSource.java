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

  /** Activities older than this are not read: no rule looks back further. */
  static final Duration ACTIVITY_HORIZON = Duration.ofDays(400);
  /** Closed deals stay subjects this long after they closed (hand-off rules look at them). */
  static final Duration CLOSED_HORIZON = Duration.ofDays(90);
  /** The most ids one {@code IN (...)} list binds. */
  static final int IN_CHUNK = 500;

  private final List<DealContext> deals = new ArrayList<>();
  private final List<ContactContext> contacts = new ArrayList<>();
  private final List<AccountContext> accounts = new ArrayList<>();
  private final List<ActivityContext> activities = new ArrayList<>();
  private final List<CrmRecord> owners;
  private final Optional<String> corporateCurrency;
  private final Map<String, Instant> dealVersions = new HashMap<>();
  private final Map<String, String> dealCrmObject = new HashMap<>();

  /** Reads the whole mirror of {@code source} as of {@code now} (the whole org in memory: explain, planning). */
  public MirrorContextSource(Database database, String source, Instant now) {
    try (var c = database.connection()) {
      this.corporateCurrency = io.salesos.currency.CurrencyStore.corporate(c, source);
      var owners = owners(c, source);
      var accountList = withRelations(c, source, rows(c, "account", source, "", List.of()));
      var contactList = rows(c, "contact", source, "", List.of());
      var activityList = rows(c, "activity", source, ACTIVITY_WINDOW, List.of(activitySince(now)));
      var dealList = rows(c, "deal", source, DEAL_WINDOW, List.of(closedSince(now)));
      try (var ps = c.prepareStatement("SELECT `id`, `crm_object`, `crm_modified_at` FROM `deal` WHERE `source` = ? AND `deleted` = FALSE")) {
        ps.setString(1, source);
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            dealCrmObject.put(rs.getString(1), rs.getString(2));
            dealVersions.put(rs.getString(1), rs.getObject(3, LocalDateTime.class).toInstant(ZoneOffset.UTC));
          }
        }
      }
      var roles = rows(c, "deal_contact", source, "", List.of());
      var stageFacts = stageFacts(c, source);
      dealList = withStages(dealList, stageFacts::deal);
      var history = withStages(rows(c, "stage_history", source, "", List.of()), h -> stageFacts.change(h, Optional.empty()));
      this.owners = owners;
      assemble(new Rows(owners, accountList, accountList, contactList, contactList, activityList, activityList, dealList,
          dealList, roles, history, true), now);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the mirror of " + source + " for the rules: " + e.getMessage(), e);
    }
  }

  /**
   * Reads the part of the mirror of {@code source} that one partition of an evaluation needs:
   * every subject whose account id falls in {@code scope} (or, for a set of deal ids, those deals
   * only), with the context each of them needs and nothing else. {@code owners} are read once per
   * run and shared by its partitions.
   */
  MirrorContextSource(java.sql.Connection c, String source, Instant now, List<CrmRecord> owners, Scope scope) throws SQLException {
    this.owners = owners;
    this.corporateCurrency = io.salesos.currency.CurrencyStore.corporate(c, source);
    List<Row> accountList;
    List<Row> contactList;
    List<Row> ownActivities;
    List<Row> dealList;
    if (scope instanceof Scope.AccountRange r) {
      accountList = withRelations(c, source, rows(c, "account", source, r.where("id"), r.args()));
      contactList = rows(c, "contact", source, r.where("account_id"), r.args());
      ownActivities = rows(c, "activity", source, ACTIVITY_WINDOW + r.where("account_id"), r.args(activitySince(now)));
      dealList = rows(c, "deal", source, DEAL_WINDOW + r.where("account_id"), r.args(closedSince(now)));
    } else {
      var ids = ((Scope.Deals) scope).ids();
      accountList = List.of();
      contactList = List.of();
      ownActivities = List.of();
      dealList = byIds(c, "deal", source, DEAL_WINDOW, List.of(closedSince(now)), "id", ids);
    }
    // stages are read through the connection's own (mirrored) vocabulary: labels, pipeline, order, probability
    var stageFacts = stageFacts(c, source);
    dealList = withStages(dealList, stageFacts::deal);
    boolean subjectsBesideDeals = scope instanceof Scope.AccountRange;
    var dealIds = new java.util.LinkedHashSet<String>();
    var dealAccounts = new java.util.TreeSet<String>();
    for (var d : dealList) {
      dealIds.add(d.record().id());
      d.record().string("account_id").ifPresent(dealAccounts::add);
      dealCrmObject.put(d.record().id(), d.crmObject());
      dealVersions.put(d.record().id(), d.modifiedAt());
    }
    var accountLookup = accountList;
    if (!subjectsBesideDeals) {
      accountLookup = withRelations(c, source, byIds(c, "account", source, "", List.of(), "id", dealAccounts));
    }
    var roles = byIds(c, "deal_contact", source, "", List.of(), "deal_id", dealIds);
    var history = withStages(byIds(c, "stage_history", source, "", List.of(), "deal_id", dealIds),
        h -> stageFacts.change(h, Optional.empty()));
    // the activities of the subjects: their accounts' (read above for a range), their deals', their leads'
    var activityKeys = new java.util.HashSet<String>();
    var activityList = new ArrayList<Row>(ownActivities);
    ownActivities.forEach(a -> activityKeys.add(a.key()));
    if (!subjectsBesideDeals) {
      addNew(activityList, activityKeys, byIds(c, "activity", source, ACTIVITY_WINDOW, List.of(activitySince(now)), "account_id", dealAccounts));
    }
    addNew(activityList, activityKeys, byIds(c, "activity", source, ACTIVITY_WINDOW, List.of(activitySince(now)), "deal_id", dealIds));
    var leadIds = new java.util.LinkedHashSet<String>();
    for (var ct : contactList) {
      if (contactIsSubject(ct.record(), now)) {
        leadIds.add(ct.record().id());
      }
    }
    addNew(activityList, activityKeys, byIds(c, "activity", source, ACTIVITY_WINDOW, List.of(activitySince(now)), "contact_id", leadIds));
    // the contacts and deals that deal roles and meetings name, wherever their account is
    var contactKeys = new java.util.HashSet<String>();
    var contactLookup = new ArrayList<Row>(contactList);
    contactList.forEach(ct -> contactKeys.add(ct.record().id()));
    var wantedContacts = new java.util.TreeSet<String>();
    roles.forEach(r -> r.record().string("contact_id").filter(id -> !contactKeys.contains(id)).ifPresent(wantedContacts::add));
    var dealLookup = new ArrayList<Row>(dealList);
    var wantedDeals = new java.util.TreeSet<String>();
    if (subjectsBesideDeals) {
      for (var a : ownActivities) {
        if (isMeetingSubject(a.record(), now)) {
          a.record().string("contact_id").filter(id -> !contactKeys.contains(id)).ifPresent(wantedContacts::add);
          a.record().string("deal_id").filter(id -> !dealIds.contains(id)).ifPresent(wantedDeals::add);
        }
      }
    }
    contactLookup.addAll(byIds(c, "contact", source, "", List.of(), "id", wantedContacts));
    dealLookup.addAll(withStages(byIds(c, "deal", source, DEAL_WINDOW, List.of(closedSince(now)), "id", wantedDeals), stageFacts::deal));
    assemble(new Rows(owners, accountList, accountLookup, contactList, contactLookup, activityList,
        subjectsBesideDeals ? ownActivities : List.of(), dealList, dealLookup, roles, history, subjectsBesideDeals), now);
  }

  /** Which subjects a partition holds: those whose account id is in a range, or a set of deals. */
  sealed interface Scope {

    /**
     * Account ids after {@code after} (exclusive; absent: from the start, records without an
     * account included) up to {@code upTo} (inclusive; absent: to the end), in the database's order.
     */
    record AccountRange(Optional<String> after, Optional<String> upTo) implements Scope {

      String where(String column) {
        var col = "`" + column + "`";
        var sb = new StringBuilder();
        if (after.isPresent()) {
          sb.append(" AND ").append(col).append(" > ?");
        } else if (upTo.isPresent() && !column.equals("id")) {
          sb.append(" AND (").append(col).append(" IS NULL OR ").append(col).append(" <= ?)");
          return sb.toString();
        }
        if (upTo.isPresent()) {
          sb.append(" AND ").append(col).append(" <= ?");
        }
        return sb.toString();
      }

      List<Object> args(Object... before) {
        var out = new ArrayList<Object>(List.of(before));
        after.ifPresent(out::add);
        upTo.ifPresent(out::add);
        return out;
      }
    }

    /** These deals only (their contexts in full), no other subject. */
    record Deals(java.util.SortedSet<String> ids) implements Scope {}
  }

  private static final String ACTIVITY_WINDOW = " AND (`start_at` IS NULL OR `start_at` >= ?)";
  private static final String DEAL_WINDOW =
      " AND (`is_closed` IS NULL OR `is_closed` = FALSE OR `stage_entered_at` IS NULL OR `stage_entered_at` >= ?)";

  private static LocalDateTime activitySince(Instant now) {
    return LocalDateTime.ofInstant(now.minus(ACTIVITY_HORIZON), ZoneOffset.UTC);
  }

  private static LocalDateTime closedSince(Instant now) {
    return LocalDateTime.ofInstant(now.minus(CLOSED_HORIZON), ZoneOffset.UTC);
  }

  /** Every user, with a display name even where the CRM keeps first and last names apart (HubSpot owners). */
  static List<CrmRecord> owners(java.sql.Connection c, String source) throws SQLException {
    return rows(c, "owner", source, "", List.of()).stream().map(Row::record).map(o -> o.get("name").isPresent() ? o
        : o.with("name", (o.string("first_name").orElse("") + " " + o.string("last_name").orElse("")).strip())).toList();
  }

  private static void addNew(List<Row> into, Set<String> keys, List<Row> more) {
    for (var r : more) {
      if (keys.add(r.key())) {
        into.add(r);
      }
    }
  }

  private static boolean contactIsSubject(CrmRecord ct, Instant now) {
    var recent = now.minus(Duration.ofDays(30));
    return ct.string("lifecycle").map(l -> l.equalsIgnoreCase("lead")).orElse(false)
        || ct.instant("created_at").map(t -> t.isAfter(recent)).orElse(false);
  }

  private static boolean isMeetingSubject(CrmRecord a, Instant now) {
    var kind = a.string("kind").orElse("");
    var start = a.instant("start_at").or(() -> a.get("start_at").isEmpty() ? a.instant("created_at") : Optional.empty());
    return (kind.equals("meeting") || kind.equals("visit")) && start.isPresent()
        && Duration.between(start.get(), now).abs().compareTo(Duration.ofDays(2)) <= 0;
  }

  /**
   * The rows one context source is built from. {@code accounts}, {@code contacts}, {@code
   * meetingCandidates} and {@code deals} hold the subjects (contacts and meetings are filtered
   * further); the lookups also hold the records the subjects name from elsewhere.
   */
  private record Rows(List<CrmRecord> owners, List<Row> accounts, List<Row> accountLookup, List<Row> contacts,
      List<Row> contactLookup, List<Row> activities, List<Row> meetingCandidates, List<Row> deals, List<Row> dealLookup,
      List<Row> roles, List<Row> history, boolean subjectsBesideDeals) {}

  /** One mirror row: its CRM object, its modification stamp and its canonical values. */
  /** The stage facts of the connection's newest mirrored stages (the standard ones before any were read). */
  private static io.salesos.rules.StageFacts stageFacts(java.sql.Connection c, String source) throws SQLException {
    return new io.salesos.rules.StageFacts(io.salesos.mirror.StageVocabularyStore.latest(c, source)
        .map(io.salesos.mirror.StageVocabularyStore.Versioned::vocabulary)
        .orElseGet(io.salesos.rules.RuleVocabulary::standardStages));
  }

  /** The rows with their records passed through {@code f}. */
  private static List<Row> withStages(List<Row> rows, java.util.function.UnaryOperator<CrmRecord> f) {
    return rows.stream().map(r -> new Row(r.crmObject(), r.modifiedAt(), f.apply(r.record()))).toList();
  }

  /** The accounts with the rows of each relation declared on account (account.site_visits), as lists of records. */
  static List<Row> withRelations(java.sql.Connection c, String source, List<Row> accounts) throws SQLException {
    var loader = RelationLoader.of(c, source);
    if (loader.of("account").isEmpty() || accounts.isEmpty()) {
      return accounts;
    }
    var rows = loader.load(c, "account", accounts.stream().map(a -> a.record().id()).toList());
    var out = new ArrayList<Row>(accounts.size());
    for (var a : accounts) {
      var r = a.record();
      for (var e : rows.getOrDefault(r.id(), Map.of()).entrySet()) {
        r = r.with(e.getKey(), List.copyOf(e.getValue()));
      }
      out.add(new Row(a.crmObject(), a.modifiedAt(), r));
    }
    return out;
  }

  record Row(String crmObject, Instant modifiedAt, CrmRecord record) {

    /** Unique within one table of one source (the table's key). */
    String key() {
      return crmObject + "|" + record.id();
    }
  }

  /** Mirror rows come in whatever order the database's plan gives; contexts are built in one fixed order. */
  private static final Comparator<Row> ORDER = Comparator.comparing(Row::crmObject).thenComparing(r -> r.record().id());

  private static List<CrmRecord> sorted(List<Row> rows) {
    return rows.stream().sorted(ORDER).map(Row::record).toList();
  }

  private void assemble(Rows in, Instant now) {
    var ownerById = index(in.owners());
    var accountById = index(sorted(in.accountLookup()));
    var contactById = index(sorted(in.contactLookup()));
    var activityList = sorted(in.activities()).stream().filter(a -> !withdrawnBySalesos(a)).map(MirrorContextSource::timed).toList();
    var dealList = sorted(in.deals());
    var byAccount = new HashMap<String, List<CrmRecord>>();
    var byDeal = new HashMap<String, List<CrmRecord>>();
    var byContact = new HashMap<String, List<CrmRecord>>();
    for (var a : activityList) {
      a.string("account_id").ifPresent(id -> byAccount.computeIfAbsent(id, k -> new ArrayList<>()).add(a));
      a.string("deal_id").ifPresent(id -> byDeal.computeIfAbsent(id, k -> new ArrayList<>()).add(a));
      a.string("contact_id").ifPresent(id -> byContact.computeIfAbsent(id, k -> new ArrayList<>()).add(a));
    }
    var rolesByDeal = new HashMap<String, List<DealContact>>();
    for (var r : sorted(in.roles())) {
      var contact = r.string("contact_id").map(contactById::get);
      var deal = r.string("deal_id");
      if (contact.isPresent() && deal.isPresent()) {
        rolesByDeal.computeIfAbsent(deal.get(), k -> new ArrayList<>())
            .add(new DealContact(contact.get(), r.string("role").orElse(""), r.flag("is_primary")));
      }
    }
    var historyByDeal = new HashMap<String, List<CrmRecord>>();
    for (var h : sorted(in.history())) {
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
    if (!in.subjectsBesideDeals()) {
      return;
    }
    var contactList = sorted(in.contacts());
    for (var ct : contactList) {
      if (contactIsSubject(ct, now)) {
        contacts.add(new ContactContext(ct, ct.string("account_id").map(accountById::get).orElse(null),
            byContact.getOrDefault(ct.id(), List.of()), ownerOf(ct, ownerById)));
      }
    }
    var contactsByAccount = new HashMap<String, List<CrmRecord>>();
    contactList.forEach(ct -> ct.string("account_id").ifPresent(id -> contactsByAccount.computeIfAbsent(id, k -> new ArrayList<>()).add(ct)));
    for (var a : sorted(in.accounts())) {
      accounts.add(new AccountContext(a, contactsByAccount.getOrDefault(a.id(), List.of()),
          openByAccount.getOrDefault(a.id(), List.of()), byAccount.getOrDefault(a.id(), List.of()), ownerOf(a, ownerById)));
    }
    var dealById = index(sorted(in.dealLookup()));
    for (var a : sorted(in.meetingCandidates()).stream().filter(a -> !withdrawnBySalesos(a)).map(MirrorContextSource::timed).toList()) {
      if (isMeetingSubject(a, now)) {
        activities.add(new ActivityContext(a, a.string("account_id").map(accountById::get).orElse(null),
            a.string("deal_id").map(dealById::get).orElse(null), a.string("contact_id").map(contactById::get).orElse(null),
            ownerOf(a, ownerById)));
      }
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
    return rows(c, table, source, extraWhere, args).stream().map(Row::record).toList();
  }

  /** The live rows of one table whose {@code column} is one of {@code ids}, read {@link #IN_CHUNK} ids at a time. */
  static List<Row> byIds(java.sql.Connection c, String table, String source, String extraWhere, List<Object> args,
      String column, java.util.Collection<String> ids) throws SQLException {
    var out = new ArrayList<Row>();
    var list = new ArrayList<>(ids);
    for (int from = 0; from < list.size(); from += IN_CHUNK) {
      var chunk = list.subList(from, Math.min(list.size(), from + IN_CHUNK));
      var where = extraWhere + " AND " + SqlName.of(column).quoted() + " IN (" + "?,".repeat(chunk.size() - 1) + "?)";
      var all = new ArrayList<Object>(args);
      all.addAll(chunk);
      out.addAll(rows(c, table, source, where, all));
    }
    return out;
  }

  static List<Row> rows(java.sql.Connection c, String table, String source, String extraWhere, List<Object> args)
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
        var out = new ArrayList<Row>();
        while (rs.next()) {
          var values = new LinkedHashMap<String, Object>();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            var name = meta.getColumnLabel(i);
            if (!SYSTEM.contains(name)) {
              values.put(name, value(rs, i, meta.getColumnType(i), meta.getColumnTypeName(i), meta.getPrecision(i)));
            }
          }
          var modified = rs.getObject("crm_modified_at", LocalDateTime.class);
          out.add(new Row(rs.getString("crm_object"), modified == null ? Instant.EPOCH : modified.toInstant(ZoneOffset.UTC),
              new CrmRecord(rs.getString("id"), values)));
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

  @Override
  public Optional<String> corporateCurrency() {
    return corporateCurrency;
  }

}
