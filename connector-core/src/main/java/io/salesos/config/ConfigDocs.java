package io.salesos.config;

import java.util.List;

/** Renders the configuration reference (docs/configuration.md) from {@link ConfigDef}, byte for byte the same each run. */
public final class ConfigDocs {

  /** The command that regenerates the file, named in the docs and in the test that checks them. */
  public static final String COMMAND = "./salesos config docs --out docs/configuration.md";

  private ConfigDocs() {}

  /** The Markdown reference: one section per top-level key, one table row per key beneath it. */
  public static String render() {
    return render(ConfigDef.keys());
  }

  static String render(List<ConfigKey> keys) {
    var out = new StringBuilder();
    out.append("# Configuration reference\n\n");
    out.append("<!-- Generated from io.salesos.config.ConfigDef by `").append(COMMAND)
        .append("`; edit the declarations, not this file. -->\n\n");
    out.append("A salesos deployment is configured by one YAML file (examples in `config/`). Relative paths are"
        + " relative to that file's folder. An unknown key, a value of the wrong type or one outside its allowed values"
        + " is an error naming the file, line and key. Secrets are never written in the file: give"
        + " `{env: VARIABLE}` or `{file: PATH}`.\n");
    for (var top : keys) {
      if (!top.parent().isEmpty()) {
        continue;
      }
      out.append("\n## ").append(top.name()).append("\n\n");
      List<ConfigKey> rows;
      if (top.type() == ConfigKey.Type.SECTION || top.type() == ConfigKey.Type.LIST) {
        out.append(top.doc()).append("\n\n");
        var prefix = top.type() == ConfigKey.Type.LIST ? top.name() + "[]." : top.name() + ".";
        rows = keys.stream().filter(k -> k.name().startsWith(prefix)).toList();
      } else {
        rows = List.of(top);
      }
      out.append("| Key | Type | Default | Allowed values | Description |\n");
      out.append("|-----|------|---------|----------------|-------------|\n");
      for (var k : rows) {
        var def = k.required() || k.defaultValue().isEmpty() ? k.defaultText() : "`" + k.defaultText() + "`";
        out.append("| `").append(cell(k.name())).append("` | ").append(k.type().word()).append(" | ").append(cell(def))
            .append(" | ").append(cell(k.allowedText())).append(" | ").append(cell(k.doc())).append(" |\n");
      }
    }
    return out.toString();
  }

  /** A table cell: a pipe would end the cell early, an asterisk would start emphasis. */
  private static String cell(String text) {
    return text.replace("|", "\\|").replace("*", "\\*");
  }
}
