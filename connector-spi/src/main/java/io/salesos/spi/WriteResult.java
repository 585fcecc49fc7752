package io.salesos.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * The CRM's answer for one {@link Write}: its record id and whether it was created, or the CRM's
 * error code and message, and whether trying again may succeed (lock contention, 5xx).
 */
public record WriteResult(
    String key,
    boolean success,
    Optional<String> id,
    boolean created,
    Optional<String> errorCode,
    Optional<String> message,
    boolean retryable) {

  public WriteResult {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(errorCode, "errorCode");
    Objects.requireNonNull(message, "message");
  }

  public static WriteResult ok(String key, String id, boolean created) {
    return new WriteResult(key, true, Optional.of(id), created, Optional.empty(), Optional.empty(), false);
  }

  public static WriteResult failed(String key, String errorCode, String message, boolean retryable) {
    return new WriteResult(
        key, false, Optional.empty(), false, Optional.of(errorCode), Optional.of(message), retryable);
  }
}
