package io.salesos.evaluate;

import io.salesos.mirror.CanonicalJson;
import io.salesos.mirror.Database;
import io.salesos.mirror.SqlName;
import io.salesos.model.CanonicalSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The deals a batch of mirror changes can change the verdicts of: each changed deal and every deal
 * of its account, the deals of a changed account, the deals a changed contact is on (as a deal
 * contact) and the deals of its account, the deal (and the deals of the account) of a changed
 * activity, the deal of a changed deal-contact or stage-history row. Read from the mirror after
 * the changes were applied; a deleted record still names its deal and account. An activity or a
 * deal contact may have named another deal or account before the change (a call moved to another
 * deal, a role re-pointed): given when the changes began to be applied, the versions the mirror's
 * record history kept from before then name those too, so the deal the activity left is evaluated
 * as well as the one it joined. A change of an object not listed (an owner) can touch every deal
 * of that owner and more, so it answers {@link Scope#all()}: evaluate everything.
 */
public final class AffectedDeals {

  private AffectedDeals() {}

  /** Either a set of deal ids, or every deal of the connection. */
  public record Scope(boolean everything, Set<String> dealIds) {
    public static Scope all() {
      return new Scope(true, Set.of());
    }

    public Scope {
      dealIds = Set.copyOf(dealIds);
    }

    /** No deal at all. */
    public static Scope none() {
      return new Scope(false, Set.of());
    }

    public boolean isEmpty() {
      return !everything && dealIds.isEmpty();
    }
  }

  /** The deals of connection {@code source} that {@code changed} (record ids per canonical object) can affect. */
  public static Scope of(Database database, String source, Map<String, ? extends Collection<String>> changed) {
    return of(database, source, changed, Optional.empty());
  }

  /**
   * As {@link #of(Database, String, Map)}, also counting the deals and accounts that the changed
   * activities and deal contacts named in their last version from before {@code since} (when the
   * changes began to be applied) and in every version since.
   */
  public static Scope of(Database database, String source, Map<String, ? extends Collection<String>> changed,
      Optional<Instant> since) {
    for (var object : changed.keySet()) {
      if (!KNOWN.contains(object)) {
        return Scope.all();
      }
    }
    var deals = new TreeSet<String>();
    var accounts = new TreeSet<String>();
    try (var c = database.connection()) {
      var dealIds = ids(changed, CanonicalSchema.DEAL);
      deals.addAll(dealIds);
      accounts.addAll(column(c, CanonicalSchema.DEAL, "account_id", "id", source, dealIds));
      accounts.addAll(ids(changed, CanonicalSchema.ACCOUNT));
      var contacts = ids(changed, CanonicalSchema.CONTACT);
      deals.addAll(column(c, CanonicalSchema.DEAL_CONTACT, "deal_id", "contact_id", source, contacts));
      accounts.addAll(column(c, CanonicalSchema.CONTACT, "account_id", "id", source, contacts));
      var activities = ids(changed, CanonicalSchema.ACTIVITY);
      deals.addAll(column(c, CanonicalSchema.ACTIVITY, "deal_id", "id", source, activities));
      accounts.addAll(column(c, CanonicalSchema.ACTIVITY, "account_id", "id", source, activities));
      deals.addAll(column(c, CanonicalSchema.DEAL_CONTACT, "deal_id", "id", source, ids(changed, CanonicalSchema.DEAL_CONTACT)));
      deals.addAll(column(c, CanonicalSchema.STAGE_HISTORY, "deal_id", "id", source, ids(changed, CanonicalSchema.STAGE_HISTORY)));
      if (since.isPresent()) {
        for (var v : versions(c, source, CanonicalSchema.ACTIVITY, activities, since.get())) {
          named(v, "deal_id").ifPresent(deals::add);
          named(v, "account_id").ifPresent(accounts::add);
        }
        for (var v : versions(c, source, CanonicalSchema.DEAL_CONTACT, ids(changed, CanonicalSchema.DEAL_CONTACT), since.get())) {
          named(v, "deal_id").ifPresent(deals::add);
        }
      }
      deals.addAll(column(c, CanonicalSchema.DEAL, "id", "account_id", source, List.copyOf(accounts)));
    } catch (SQLException e) {
      throw new IllegalStateException("could not find the deals changes of " + source + " affect: " + e.getMessage(), e);
    }
    return new Scope(false, deals);
  }

  /**
   * The ids of the rows of canonical table {@code object} of {@code source} the mirror wrote (a
   * change, a deletion, a converted amount) at or after {@code since}: what a pull applied, told
   * record by record.
   */
  public static Set<String> syncedSince(Database database, String source, String object, Instant since) {
    var out = new TreeSet<String>();
    var sql = "SELECT `id` FROM " + SqlName.of(object).quoted() + " WHERE `source` = ? AND `synced_at` >= ?";
    try (var c = database.connection(); var ps = c.prepareStatement(sql)) {
      ps.setString(1, source);
      ps.setObject(2, LocalDateTime.ofInstant(since.truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC));
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read which " + object + " rows of " + source + " changed since " + since
          + ": " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * The canonical values of the versions of records {@code ids} that matter to a change applied from
   * {@code since}: every version recorded since, and the newest one recorded before (the record as
   * it was). A deletion's version holds no values.
   */
  private static List<Map<String, Object>> versions(Connection c, String source, String object, List<String> ids,
      Instant since) throws SQLException {
    var out = new ArrayList<Map<String, Object>>();
    var from = since.truncatedTo(ChronoUnit.MILLIS);
    for (int at = 0; at < ids.size(); at += 500) {
      var chunk = ids.subList(at, Math.min(ids.size(), at + 500));
      try (var ps = c.prepareStatement("SELECT `record_id`, `pulled_at`, `fields` FROM `record_history` WHERE `source` = ?"
          + " AND `canonical_object` = ? AND `record_id` IN (" + String.join(",", java.util.Collections.nCopies(chunk.size(), "?"))
          + ") ORDER BY `record_id`, `seq` DESC")) {
        ps.setString(1, source);
        ps.setString(2, object);
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(3 + i, chunk.get(i));
        }
        try (var rs = ps.executeQuery()) {
          String record = null;
          boolean before = false;
          while (rs.next()) {
            if (!rs.getString(1).equals(record)) {
              record = rs.getString(1);
              before = false;
            }
            if (before) {
              continue; // older than the version the record had before the change
            }
            before = rs.getObject(2, LocalDateTime.class).toInstant(ZoneOffset.UTC).isBefore(from);
            out.add(CanonicalJson.read(rs.getString(3)));
          }
        }
      }
    }
    return out;
  }

  private static Optional<String> named(Map<String, Object> values, String field) {
    var v = values.get(field);
    return v == null || v.toString().isEmpty() ? Optional.empty() : Optional.of(v.toString());
  }

  private static final Set<String> KNOWN = Set.of(CanonicalSchema.DEAL, CanonicalSchema.ACCOUNT, CanonicalSchema.CONTACT,
      CanonicalSchema.ACTIVITY, CanonicalSchema.DEAL_CONTACT, CanonicalSchema.STAGE_HISTORY);

  private static List<String> ids(Map<String, ? extends Collection<String>> changed, String object) {
    return List.copyOf(changed.containsKey(object) ? changed.get(object) : List.of());
  }

  /** {@code wanted} of the rows of {@code table} whose {@code key} is one of {@code values} (deleted rows too). */
  private static List<String> column(Connection c, String table, String wanted, String key, String source,
      List<String> values) throws SQLException {
    var out = new ArrayList<String>();
    for (int from = 0; from < values.size(); from += 500) {
      var chunk = values.subList(from, Math.min(values.size(), from + 500));
      var sql = "SELECT DISTINCT " + SqlName.of(wanted).quoted() + " FROM " + SqlName.of(table).quoted()
          + " WHERE `source` = ? AND " + SqlName.of(key).quoted() + " IN ("
          + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ") AND " + SqlName.of(wanted).quoted()
          + " IS NOT NULL";
      try (var ps = c.prepareStatement(sql)) {
        ps.setString(1, source);
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(2 + i, chunk.get(i));
        }
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
    }
    return out;
  }
}
