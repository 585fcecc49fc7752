package io.salesos.testing;

import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A daemon configuration ({@code salesos.yaml}) for tests: a schema of this JVM's shared test
 * MariaDB, the sandboxes as connections, the repository's mappings and a rule folder.
 *
 * <p>A sandbox given by {@link #salesforce(SalesforceSandbox)} or {@link #hubspot(HubSpotSandbox)}
 * is reached over HTTP as a real org (its secrets in files beside the configuration), so a CLI verb or a
 * child daemon talks to it; {@link #salesforceInProcess()} and {@link #hubspotInProcess()} write
 * {@code sandbox: true}, for a runtime opened with the sandboxes' connection settings.
 */
public final class SandboxConfig {

  private final String schema;
  private final List<String> connections = new ArrayList<>();
  private final List<Runnable> secrets = new ArrayList<>();
  private Path rules = repository().resolve("rules");
  private String extra = "";
  private Path dir;

  private SandboxConfig(String schema) {
    this.schema = schema;
  }

  /** A configuration on a new, empty schema of the shared test MariaDB. */
  public static SandboxConfig onNewSchema() {
    return on(TestDatabases.newSchema());
  }

  /** A configuration on {@code schema} of the shared test MariaDB. */
  public static SandboxConfig on(String schema) {
    return new SandboxConfig(schema);
  }

  /** The repository's root folder (tests run in their module's folder). */
  public static Path repository() {
    return Path.of("..").toAbsolutePath().normalize();
  }

  /** The schema the configuration's database points at. */
  public String schema() {
    return schema;
  }

  /** The Salesforce sandbox as a real org: OAuth client credentials, the repository's Salesforce mapping. */
  public SandboxConfig salesforce(SalesforceSandbox org) {
    connections.add("""
          - name: salesforce
            type: salesforce
            mapping: %s
            settings:
              instance_url: %s
              login_url: %s
              auth: oauth_client_credentials
              api_version: "%s"
              username: %s
            secrets:
              client_id: {file: %s}
              client_secret: {file: %s}
        """.formatted(repository().resolve("config/mappings/salesforce.yaml"), org.baseUrl(), org.baseUrl(), org.apiVersion(),
        org.username(), "@DIR@/sf-client-id", "@DIR@/sf-client-secret"));
    secrets.add(() -> {
      secret("sf-client-id", org.clientId());
      secret("sf-client-secret", org.clientSecret());
    });
    return this;
  }

  /** The HubSpot sandbox as a real portal: its private-app token, its tier, the repository's HubSpot mapping. */
  public SandboxConfig hubspot(HubSpotSandbox portal) {
    connections.add("""
          - name: hubspot
            type: hubspot
            mapping: %s
            settings:
              base_url: %s
              tier: %s
            secrets:
              token: {file: %s}
        """.formatted(repository().resolve("config/mappings/hubspot.yaml"), portal.baseUrl(), portal.tier(), "@DIR@/hs-token"));
    secrets.add(() -> secret("hs-token", portal.token()));
    return this;
  }

  /** A Salesforce connection the runtime is handed the sandbox's settings for ({@code sandbox: true}). */
  public SandboxConfig salesforceInProcess() {
    connections.add(inProcess("salesforce"));
    return this;
  }

  /** A HubSpot connection the runtime is handed the sandbox's settings for ({@code sandbox: true}). */
  public SandboxConfig hubspotInProcess() {
    connections.add(inProcess("hubspot"));
    return this;
  }

  /** The rule folder (the repository's {@code rules/} unless set). */
  public SandboxConfig rules(Path folder) {
    rules = folder.toAbsolutePath();
    return this;
  }

  /** Further top-level YAML (sections such as {@code sync:} or {@code scheduler:}), appended as given. */
  public SandboxConfig extra(String yaml) {
    extra = yaml;
    return this;
  }

  /** Writes {@code salesos.yaml} into {@code folder} (created if need be), the secrets beside it; returns its path. */
  public Path writeInto(Path folder) {
    try {
      dir = Files.createDirectories(folder.toAbsolutePath());
      secrets.forEach(Runnable::run);
      var yaml = """
          database:
            url: "%s"
            user: %s
            password: {file: %s}
            pool_size: 4
          connections:
          %srules: %s
          %s
          """.formatted(TestDatabases.jdbcUrl(schema), TestDatabases.user(), TestDatabases.passwordFile(),
          String.join("", connections).replace("@DIR@", dir.toString()), rules, extra);
      var file = dir.resolve("salesos.yaml");
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String inProcess(String crm) {
    return """
          - name: %s
            type: %s
            mapping: %s
            sandbox: true
        """.formatted(crm, crm, repository().resolve("config/mappings/" + crm + ".yaml"));
  }

  private void secret(String name, String value) {
    try {
      Files.writeString(dir.resolve(name), value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
