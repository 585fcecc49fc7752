package io.salesos.mirror;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A table or column name that is safe to put in SQL: lower-case letters, digits and underscores,
 * starting with a letter, at most 64 characters, quoted with backticks when rendered. Nothing
 * from a CRM reaches SQL except through this check; values are always bound, never pasted.
 */
public record SqlName(String name) {

  private static final Pattern SAFE = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  public SqlName {
    Objects.requireNonNull(name, "name");
    if (!SAFE.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + printable(name) + "' is not a valid salesos column or table name:"
          + " use lower-case letters, digits and underscores, starting with a letter, at most 64 characters");
    }
  }

  public static SqlName of(String name) {
    return new SqlName(name);
  }

  public static boolean isValid(String name) {
    return name != null && SAFE.matcher(name).matches();
  }

  /** The name quoted for MariaDB. */
  public String quoted() {
    return "`" + name + "`";
  }

  @Override
  public String toString() {
    return name;
  }

  private static String printable(String s) {
    var sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(c < 0x20 ? '?' : c);
    }
    return sb.length() > 80 ? sb.substring(0, 80) + "..." : sb.toString();
  }
}
