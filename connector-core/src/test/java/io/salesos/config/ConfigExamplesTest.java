package io.salesos.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.mapping.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigExamplesTest {

  @Test
  void everyShippedConfigurationAndMappingLoads() throws IOException {
    try (var files = Files.list(Path.of("../config"))) {
      var yaml = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
      assertThat(yaml).extracting(f -> f.getFileName().toString())
          .contains("demo.yaml", "hubspot.yaml", "salesforce.yaml", "production.yaml");
      for (var f : yaml) {
        var config = SalesosConfig.load(f);
        for (var c : config.connections()) {
          assertThat(Mapping.load(c.mapping()).crm()).as(f + " " + c.name()).isEqualTo(c.type());
        }
      }
    }
  }
}
