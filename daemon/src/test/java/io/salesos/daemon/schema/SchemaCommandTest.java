package io.salesos.daemon.schema;

import static io.salesos.testing.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.testing.SandboxConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code salesos schema verify|prepare} as an admin runs it: a configuration file naming a
 * Salesforce org and a HubSpot portal (bare sandboxes here, reached like real CRMs through
 * settings and secret files), the shipped mappings and rule files.
 */
class SchemaCommandTest {

  @TempDir
  Path dir;

  private SalesforceSandbox salesforce;
  private HubSpotSandbox hubspot;
  private Path config;

  @BeforeEach
  void start() throws Exception {
    salesforce = SalesforceSandbox.builder().withoutSalesosFields().start();
    hubspot = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withLimits(RateLimits.unlimited())
        .withoutSalesosProperties());
    config = SandboxConfig.onNewSchema().salesforce(salesforce).hubspot(hubspot).writeInto(dir);
  }

  @AfterEach
  void stop() {
    salesforce.close();
    hubspot.close();
  }

  @Test
  void verifyListsTheMissingFieldsThenPrepareCreatesThemAndASecondPrepareChangesNothing() {
    var before = run("schema", "verify", "--config", config.toString());
    assertThat(before.exit()).as(before.out()).isEqualTo(2);
    assertThat(before.out()).contains("Salesos_Flags__c").contains("salesos_key").contains("missing")
        .contains("salesos schema prepare");

    var dryRun = run("schema", "prepare", "--config", config.toString(), "--dry-run");
    assertThat(dryRun.out()).contains("would create 4 field(s)");
    assertThat(run("schema", "verify", "--config", config.toString()).exit()).isEqualTo(2);

    var prepare = run("schema", "prepare", "--config", config.toString());
    assertThat(prepare.exit()).as(prepare.out()).isZero();
    assertThat(prepare.out()).contains("created").contains("Activity.Salesos_Key__c")
        .contains("Salesos_Integration").contains("assigned to the integration user");

    var after = run("schema", "verify", "--config", config.toString());
    assertThat(after.exit()).as(after.out()).isZero();
    assertThat(after.out()).doesNotContain("missing");

    var again = run("schema", "prepare", "--config", config.toString());
    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("salesforce: nothing changed").contains("hubspot: nothing changed");
  }

  @Test
  void packageDirWritesTheSalesforcePackageAndLeavesTheOrgAlone() throws Exception {
    var packages = dir.resolve("packages");

    var result = run("schema", "prepare", "--config", config.toString(), "--connection", "salesforce",
        "--package-dir", packages.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.out()).contains("packaged").contains("sf project deploy start --metadata-dir");
    assertThat(packages.resolve("salesforce/package.xml")).exists();
    assertThat(run("schema", "verify", "--config", config.toString(), "--connection", "salesforce").exit()).isEqualTo(2);
  }
}
