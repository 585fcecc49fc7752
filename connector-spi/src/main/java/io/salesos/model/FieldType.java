package io.salesos.model;

/** The closed set of canonical field types and the MariaDB column type each is stored as. */
public enum FieldType {
  STRING("VARCHAR(255)"),
  TEXT("TEXT"),
  ID("VARCHAR(64)"),
  DECIMAL("DECIMAL(18,2)"),
  PERCENT("DECIMAL(7,4)"),
  INTEGER("BIGINT"),
  DOUBLE("DOUBLE"),
  BOOLEAN("BOOLEAN"),
  DATE("DATE"),
  DATETIME("DATETIME(3)");

  private final String sqlType;

  FieldType(String sqlType) {
    this.sqlType = sqlType;
  }

  /** The column type in the mirror (utf8mb4 text, DECIMAL money, UTC DATETIME(3) timestamps). */
  public String sqlType() {
    return sqlType;
  }

  /** Parses a type name as written in a mapping file ({@code decimal}, {@code datetime}...). */
  public static FieldType parse(String name) {
    for (var t : values()) {
      if (t.name().equalsIgnoreCase(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown field type '" + name + "'; known: "
        + java.util.Arrays.toString(values()).toLowerCase());
  }
}
