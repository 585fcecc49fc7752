package io.salesos.audit;

import java.util.List;
import java.util.Objects;

/** One table of an audit: a title, column names and rows of display values (one string per column). */
public record AuditTable(String title, List<String> columns, List<List<String>> rows) {

  public AuditTable {
    Objects.requireNonNull(title, "title");
    columns = List.copyOf(columns);
    var copied = new java.util.ArrayList<List<String>>(rows.size());
    for (var r : rows) {
      if (r.size() != columns.size()) {
        throw new IllegalArgumentException("a row of '" + title + "' has " + r.size() + " values for " + columns.size()
            + " columns: " + r);
      }
      copied.add(r.stream().map(v -> v == null ? "" : v).toList());
    }
    rows = List.copyOf(copied);
  }

  /** The values of one column, top to bottom. */
  public List<String> column(String name) {
    int i = columns.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no column '" + name + "' in '" + title + "'; columns: " + columns);
    }
    return rows.stream().map(r -> r.get(i)).toList();
  }
}
