package io.salesos.config;

import java.nio.file.Path;

/**
 * A configuration, mapping or rule file is wrong: says which file, which line and column, which
 * key, and what to do, as {@code FILE:LINE:COL: key 'x': message}.
 */
public class ConfigException extends RuntimeException {

  private final String file;
  private final int line;
  private final int column;

  public ConfigException(String file, int line, int column, String message) {
    super(file + ":" + line + ":" + column + ": " + message);
    this.file = file;
    this.line = line;
    this.column = column;
  }

  public ConfigException(Path file, int line, int column, String message) {
    this(file.toString(), line, column, message);
  }

  public String file() {
    return file;
  }

  /** 1-based line. */
  public int line() {
    return line;
  }

  /** 1-based column. */
  public int column() {
    return column;
  }
}
