package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.mapping.Mapping;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefaultMappingTest {

  static Path mappingFile() {
    var p = Path.of("../config/mappings/salesforce.yaml");
    return Files.exists(p) ? p : Path.of("config/mappings/salesforce.yaml");
  }

  @Test
  void everyMappedFieldExistsInTheSandboxDescribe() throws Exception {
    var mapping = Mapping.load(mappingFile());
    assertThat(mapping.crm()).isEqualTo("salesforce");
    try (var sandbox = SalesforceSandbox.builder().start();
        var c = SandboxConnections.connector(sandbox, Map.of())) {
      var schema = c.describe();
      for (var o : mapping.objects()) {
        var object = schema.object(o.crmObject());
        assertThat(object).as(o.crmObject()).isPresent();
        for (var f : o.fields()) {
          assertThat(object.get().field(f.crmField())).as(o.crmObject() + "." + f.crmField()).isPresent();
        }
      }
      var key = schema.object("Task").orElseThrow().field("Salesos_Key__c").orElseThrow();
      assertThat(key.unique()).isTrue();
      assertThat(key.custom()).isTrue();
    }
  }
}
