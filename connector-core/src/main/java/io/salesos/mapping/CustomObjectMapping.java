package io.salesos.mapping;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An org's own CRM object (a Salesforce custom object such as {@code Site_Visit__c}, a HubSpot
 * custom object) mirrored as a whole into a table of its own, {@code custom_<table>}. The mapping
 * names the CRM fields to keep and their column names (none: every field the CRM describes); the
 * column types always come from the CRM's describe, so a type the admin changes in the CRM is
 * migrated, never typed by hand. {@code relation} says how rules reach the rows.
 */
public record CustomObjectMapping(
    String crmObject, String table, Map<String, String> fields, Optional<Relation> relation, String origin) {

  /** The prefix of every custom mirror table ({@link io.salesos.mirror.CustomTables#TABLE_PREFIX}). */
  public static final String TABLE_PREFIX = io.salesos.mirror.CustomTables.TABLE_PREFIX;

  public CustomObjectMapping {
    Objects.requireNonNull(crmObject, "crmObject");
    Objects.requireNonNull(table, "table");
    fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    Objects.requireNonNull(relation, "relation");
    Objects.requireNonNull(origin, "origin");
  }

  /** The mirror table's name ({@code custom_site_visit}). */
  public String tableName() {
    return TABLE_PREFIX + table;
  }

  /** Whether the mapping keeps every field the CRM describes. */
  public boolean allFields() {
    return fields.isEmpty();
  }

  /**
   * How rules read the rows: as {@code <parent>.<name>}, a list of the rows whose column {@code
   * key} holds the parent record's id ({@code account.site_visits}).
   */
  public record Relation(String name, String parent, String key) {
    public Relation {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(parent, "parent");
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * The column name a CRM field gets when the mapping does not name it: lower case, the custom
   * suffix {@code __c} (and a namespace prefix {@code ns__}) dropped, anything else not a letter or
   * digit as '_' ({@code Visited_On__c} is {@code visited_on}); empty when no valid name results.
   */
  public static Optional<String> columnFor(String crmField) {
    var s = crmField;
    if (s.endsWith("__c")) {
      s = s.substring(0, s.length() - 3);
    }
    int ns = s.indexOf("__");
    if (ns > 0) {
      s = s.substring(ns + 2);
    }
    s = s.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
    if (s.equals("id")) {
      return Optional.empty();
    }
    return io.salesos.mirror.SqlName.isValid(s) ? Optional.of(s) : Optional.empty();
  }
}
