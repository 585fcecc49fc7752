package io.salesos.evaluate;

import io.salesos.mirror.SqlName;
import io.salesos.rules.CrmRecord;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the rows of an org's own objects that rules read through a declared relation ({@code
 * account.site_visits}), for a given set of parent ids, so a caller that evaluates accounts in
 * partitions loads only the rows of the partition. The relations are the ones the mirror records
 * for the connection ({@code mirror_relation}, written when the custom object's table is brought
 * in step with the CRM's describe).
 */
public final class RelationLoader {

  /** One relation: {@code parent.name} is the live rows of {@code table} whose {@code keyColumn} is the parent's id. */
  public record Relation(String parent, String name, String table, String keyColumn) {
    public Relation {
      SqlName.of(parent);
      SqlName.of(name);
      SqlName.of(table);
      SqlName.of(keyColumn);
    }
  }

  private static final int CHUNK = 1000;

  private final String source;
  private final List<Relation> relations;

  public RelationLoader(String source, List<Relation> relations) {
    this.source = source;
    this.relations = List.copyOf(relations);
  }

  /** The relations the mirror records for {@code source}. */
  public static RelationLoader of(Connection c, String source) throws SQLException {
    var out = new ArrayList<Relation>();
    try (var ps = c.prepareStatement("SELECT parent_object, name, table_name, key_column FROM mirror_relation WHERE source = ?"
        + " ORDER BY parent_object, name")) {
      ps.setString(1, source);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Relation(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        }
      }
    }
    return new RelationLoader(source, out);
  }

  public List<Relation> relations() {
    return relations;
  }

  /** The relations hanging from one canonical object ({@code account}). */
  public List<Relation> of(String parent) {
    return relations.stream().filter(r -> r.parent().equals(parent)).toList();
  }

  /**
   * For each of {@code parentIds}, relation name to its rows (an empty list when it has none),
   * for every relation hanging from {@code parent}; rows in id order, so evaluation is repeatable.
   */
  public Map<String, Map<String, List<CrmRecord>>> load(Connection c, String parent, Collection<String> parentIds)
      throws SQLException {
    var out = new HashMap<String, Map<String, List<CrmRecord>>>(parentIds.size() * 2);
    var mine = of(parent);
    if (mine.isEmpty()) {
      return out;
    }
    for (var id : parentIds) {
      var m = new LinkedHashMap<String, List<CrmRecord>>();
      mine.forEach(r -> m.put(r.name(), new ArrayList<>()));
      out.put(id, m);
    }
    var ids = List.copyOf(parentIds);
    for (var r : mine) {
      var key = SqlName.of(r.keyColumn()).quoted();
      for (int from = 0; from < ids.size(); from += CHUNK) {
        var chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
        var where = " AND " + key + " IN (" + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ") ORDER BY `id`";
        var args = new ArrayList<Object>(chunk);
        for (var row : MirrorContextSource.read(c, r.table(), source, where, args)) {
          row.string(r.keyColumn()).map(out::get).ifPresent(byName -> byName.get(r.name()).add(row));
        }
      }
    }
    return out;
  }
}
