package io.salesos.daemon.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * What the production image ships (daemon/target/salesos.jar, the jar the Dockerfile copies): the
 * daemon with core and every connector, and nothing of the sandboxes, WireMock or the demo org.
 */
class ProductionJarIT {

  static final Path JAR = Path.of("target", "salesos.jar");

  @Test
  void theProductionJarHoldsTheDaemonAndEveryConnectorButNoSandboxWireMockOrDemoOrg() throws IOException {
    assertThat(JAR).as("the shaded jar (failsafe runs after package)").exists();
    try (var jar = new JarFile(JAR.toFile())) {
      var names = jar.stream().map(e -> e.getName()).toList();
      assertThat(names).contains("io/salesos/cli/Main.class", "io/salesos/pipeline/Pipeline.class",
          "io/salesos/hubspot/HubSpotConnectorProvider.class", "io/salesos/salesforce/SalesforceConnectorProvider.class");
      assertThat(names).as("no WireMock, shaded or not").noneMatch(n -> n.toLowerCase().contains("wiremock"));
      assertThat(names).as("no sandbox, demo org or launcher").noneMatch(n -> n.startsWith("io/salesos/hubspot/sandbox/")
          || n.startsWith("io/salesos/salesforce/sandbox/") || n.startsWith("io/salesos/demo/")
          || n.startsWith("io/salesos/launcher/"));
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.salesos.cli.Main");
    }
  }
}
