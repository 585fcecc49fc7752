package io.salesos.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.mapping.Mapping;
import io.salesos.outbox.AllowList;
import io.salesos.schema.InputFields;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The default HubSpot mapping against a portal that has its properties: nothing is reported
 * absent, so no rule is turned off there. Association paths and the owners API are not properties
 * and must not count as missing.
 */
class HubSpotInputFieldsTest {

  @Test
  void theDemoPortalLacksNoInputTheDefaultMappingReads() throws Exception {
    var mapping = Mapping.load(Path.of("../config/mappings/hubspot.yaml"));
    try (var sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults());
        var connector = TestConnections.connect(sandbox)) {
      var schema = connector.describe();
      assertThat(InputFields.missing(mapping, AllowList.defaults(), schema)).isEmpty();
      assertThat(InputFields.absentCanonical(mapping, AllowList.defaults(), schema)).isEmpty();
    }
  }
}
