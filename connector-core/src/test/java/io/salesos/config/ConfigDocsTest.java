package io.salesos.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {

  @Test
  void theCommittedReferenceMatchesTheDeclarations() throws IOException {
    // The module runs from its own folder, so the repository root is one level up.
    var file = Path.of("..", "docs", "configuration.md");
    if (!Files.exists(file)) {
      System.out.println("ConfigDocsTest: skipped, no " + file.toAbsolutePath().normalize()
          + " (not a repository checkout, e.g. a source tarball)");
      Assumptions.abort("no docs/configuration.md to compare");
    }
    assertThat(Files.readString(file, StandardCharsets.UTF_8))
        .as("docs/configuration.md is out of date with io.salesos.config.ConfigDef; run `" + ConfigDocs.COMMAND
            + "` and commit the result")
        .isEqualTo(ConfigDocs.render());
  }

  @Test
  void everyKeyHasARowAndRenderingIsDeterministic() {
    var text = ConfigDocs.render();
    assertThat(text).isEqualTo(ConfigDocs.render());
    for (var k : ConfigDef.keys()) {
      if (!k.parent().isEmpty()) {
        assertThat(text).contains("| `" + k.name() + "` |");
      }
    }
    assertThat(text).contains("| `sync.poll_seconds` | integer | `60` | at least 1 |")
        .contains("| `admin.port` | integer | `8686` | 0 to 65535 |")
        .contains("| `connections[].name` | string | (required) |");
  }
}
