package io.salesos.spi;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a connector is given to start: its connection name, its settings from the configuration
 * file (non-secret), its secrets (already resolved from the environment or files, never to be
 * logged), and the clock.
 */
public record ConnectorContext(
    String name, Map<String, String> settings, Map<String, String> secrets, Clock clock) {

  public ConnectorContext {
    Objects.requireNonNull(name, "name");
    settings = Map.copyOf(Objects.requireNonNull(settings, "settings"));
    secrets = Map.copyOf(Objects.requireNonNull(secrets, "secrets"));
    Objects.requireNonNull(clock, "clock");
  }

  /**
   * A context from flat maps as sandboxes publish their connection details: a key starting with
   * {@code secret.} is a secret, any other a setting; a later map overrides an earlier one.
   */
  @SafeVarargs
  public static ConnectorContext fromFlat(String name, Clock clock, Map<String, String>... layers) {
    var settings = new java.util.HashMap<String, String>();
    var secrets = new java.util.HashMap<String, String>();
    for (var layer : layers) {
      layer.forEach((k, v) -> {
        if (k.startsWith(SECRET_PREFIX)) {
          secrets.put(k.substring(SECRET_PREFIX.length()), v);
        } else {
          settings.put(k, v);
        }
      });
    }
    return new ConnectorContext(name, settings, secrets, clock);
  }

  private static final String SECRET_PREFIX = "secret.";

  public Optional<String> setting(String key) {
    return Optional.ofNullable(settings.get(key));
  }

  public Optional<String> secret(String key) {
    return Optional.ofNullable(secrets.get(key));
  }

  /** Never include the secret's value in the message. */
  @Override
  public String toString() {
    return "ConnectorContext[name=" + name + ", settings=" + settings + ", secrets=" + secrets.keySet() + "]";
  }
}
