package io.salesos.mirror;

import io.salesos.model.FieldType;
import java.util.Map;

/** Builds the DDL of the typed mirror tables, one per canonical object, from validated names only. */
final class MirrorTableDdl {

  private MirrorTableDdl() {}

  static String createTable(SqlName table, Map<String, FieldType> fields) {
    var sb = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table.quoted()).append(" (\n");
    sb.append("  `source` VARCHAR(64) NOT NULL COMMENT 'the connection it was pulled from',\n");
    sb.append("  `crm_object` VARCHAR(64) NOT NULL COMMENT 'the CRM object it came from',\n");
    sb.append("  `id` VARCHAR(64) NOT NULL COMMENT 'the CRM record id, as given',\n");
    for (var e : fields.entrySet()) {
      sb.append("  ").append(SqlName.of(e.getKey()).quoted()).append(' ').append(e.getValue().sqlType())
          .append(" NULL,\n");
    }
    sb.append("  `crm_modified_at` DATETIME(3) NOT NULL COMMENT 'the CRM modification stamp (UTC)',\n");
    sb.append("  `deleted` BOOLEAN NOT NULL DEFAULT FALSE,\n");
    sb.append("  `deleted_at` DATETIME(3) NULL,\n");
    sb.append("  `synced_at` DATETIME(3) NOT NULL,\n");
    sb.append("  `row_hash` CHAR(64) NOT NULL COMMENT 'sha-256 of the canonical values, to skip unchanged replays',\n");
    sb.append("  PRIMARY KEY (`source`, `crm_object`, `id`)");
    for (var key : indexedColumns(fields)) {
      sb.append(",\n  KEY ").append(SqlName.of("ix_" + table.name() + "_" + key).quoted())
          .append(" (`source`, ").append(SqlName.of(key).quoted()).append(')');
    }
    sb.append("\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci");
    return sb.toString();
  }

  static String addColumn(SqlName table, SqlName column, FieldType type) {
    return "ALTER TABLE " + table.quoted() + " ADD COLUMN IF NOT EXISTS " + column.quoted() + " "
        + type.sqlType() + " NULL";
  }

  private static java.util.List<String> indexedColumns(Map<String, FieldType> fields) {
    return fields.entrySet().stream()
        .filter(e -> e.getValue() == FieldType.ID && e.getKey().endsWith("_id"))
        .map(Map.Entry::getKey)
        .toList();
  }
}
