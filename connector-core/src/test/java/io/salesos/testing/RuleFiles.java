package io.salesos.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** The shipped rule files (the top-level rules/ folder), with rules appended to one of them, for tests in any module. */
public final class RuleFiles {

  private RuleFiles() {}

  /** The shipped files by name, with {@code extra} (YAML list items, indented as the file's) appended to {@code file}. */
  public static Map<String, String> shippedWith(String file, String extra) {
    var files = new TreeMap<String, String>();
    var dir = Files.isDirectory(Path.of("..", "rules")) ? Path.of("..", "rules") : Path.of("rules");
    try (var list = Files.list(dir)) {
      for (var p : list.toList()) {
        if (p.getFileName().toString().endsWith(".yaml")) {
          files.put(p.getFileName().toString(), Files.readString(p));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!files.containsKey(file)) {
      throw new IllegalArgumentException("no shipped rule file " + file);
    }
    files.put(file, files.get(file).stripTrailing() + "\n" + extra);
    return files;
  }
}
