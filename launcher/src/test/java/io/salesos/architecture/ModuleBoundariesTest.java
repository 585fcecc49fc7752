package io.salesos.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module graph of docs/architecture.md, checked on the whole build (the launcher sees every
 * module): connectors and sandboxes stand on the SPI alone, the engine knows no connector,
 * sandbox or shell, and the shell's packages form no cycle.
 */
class ModuleBoundariesTest {

  static final String[] SPI = {"io.salesos.spi..", "io.salesos.model.."};
  static final String[] CORE = {"io.salesos.config..", "io.salesos.connection..", "io.salesos.currency..", "io.salesos.evaluate..",
      "io.salesos.journal..", "io.salesos.mapping..", "io.salesos.mirror..", "io.salesos.outbox..", "io.salesos.pipeline..",
      "io.salesos.planner..", "io.salesos.retention..", "io.salesos.rules..", "io.salesos.schema..", "io.salesos.sync..",
      "io.salesos.visits.."};
  static final String[] SHELL = {"io.salesos.cli..", "io.salesos.admin..", "io.salesos.audit..", "io.salesos.html..",
      "io.salesos.runtime..", "io.salesos.schedule..", "io.salesos.launcher.."};
  static final String[] CONNECTORS = {"io.salesos.hubspot", "io.salesos.salesforce"};
  static final String[] SANDBOXES = {"io.salesos.hubspot.sandbox..", "io.salesos.salesforce.sandbox.."};

  static JavaClasses all;

  @BeforeAll
  static void importAll() {
    all = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("/test-classes/")).importPackages("io.salesos");
  }

  @Test
  void theSpiDependsOnNothingOfOurs() {
    noClasses().that().resideInAnyPackage(SPI).should().dependOnClassesThat()
        .resideInAnyPackage(concat(CORE, SHELL, CONNECTORS, SANDBOXES, new String[] {"io.salesos.demo.."})).check(all);
  }

  @Test
  void connectorsCompileAgainstTheSpiAlone() {
    noClasses().that().resideInAnyPackage(CONNECTORS).should().dependOnClassesThat()
        .resideInAnyPackage(concat(CORE, SHELL, SANDBOXES, new String[] {"io.salesos.demo.."})).check(all);
    noClasses().that().resideInAPackage("io.salesos.hubspot").should().dependOnClassesThat()
        .resideInAPackage("io.salesos.salesforce..").check(all);
    noClasses().that().resideInAPackage("io.salesos.salesforce").should().dependOnClassesThat()
        .resideInAPackage("io.salesos.hubspot..").check(all);
  }

  @Test
  void sandboxesStandOnTheDemoOrgAndTheSpiOnly() {
    noClasses().that().resideInAnyPackage(SANDBOXES).should().dependOnClassesThat()
        .resideInAnyPackage(concat(CORE, SHELL, CONNECTORS)).check(all);
  }

  @Test
  void theEngineKnowsNoConnectorSandboxDemoOrShell() {
    noClasses().that().resideInAnyPackage(CORE).should().dependOnClassesThat()
        .resideInAnyPackage(concat(SHELL, CONNECTORS, SANDBOXES, new String[] {"io.salesos.hubspot..", "io.salesos.salesforce..",
            "io.salesos.demo.."})).check(all);
  }

  @Test
  void theProductionShellKnowsNoSandboxAndNoDemoOrg() {
    noClasses().that().resideInAnyPackage("io.salesos.cli..", "io.salesos.admin..", "io.salesos.audit..",
        "io.salesos.html..", "io.salesos.runtime..", "io.salesos.schedule..").should().dependOnClassesThat()
        .resideInAnyPackage(concat(SANDBOXES, new String[] {"io.salesos.demo..", "io.salesos.launcher.."})).check(all);
  }

  @Test
  void noPackageCyclesAnywhere() {
    slices().matching("io.salesos.(*)..").should().beFreeOfCycles().check(all);
  }

  private static String[] concat(String[]... parts) {
    return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
  }
}
