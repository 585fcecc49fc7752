package io.salesos.evaluate;

import io.salesos.mirror.Database;
import io.salesos.mirror.SqlName;
import io.salesos.model.CanonicalSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The deals a batch of mirror changes can change the verdicts of: each changed deal and every deal
 * of its account, the deals of a changed account, the deals a changed contact is on (as a deal
 * contact) and the deals of its account, the deal (and the deals of the account) of a changed
 * activity, the deal of a changed deal-contact or stage-history row. Read from the mirror after
 * the changes were applied; a deleted record still names its deal and account. A change of an
 * object not listed (an owner) can touch every deal of that owner and more, so it answers {@link
 * Scope#all()}: evaluate everything.
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
      deals.addAll(column(c, CanonicalSchema.DEAL, "id", "account_id", source, List.copyOf(accounts)));
    } catch (SQLException e) {
      throw new IllegalStateException("could not find the deals changes of " + source + " affect: " + e.getMessage(), e);
    }
    return new Scope(false, deals);
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
