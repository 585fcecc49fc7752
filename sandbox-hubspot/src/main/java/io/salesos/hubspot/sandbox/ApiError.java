package io.salesos.hubspot.sandbox;

import java.util.List;
import java.util.Map;

/**
 * A request the sandbox refuses as a whole, carrying what HubSpot's error body holds: status,
 * category, message, and optional per-item errors and context.
 */
final class ApiError extends RuntimeException {

  final int status;
  final String category;
  final List<Map<String, Object>> errors;
  final Map<String, Object> context;

  ApiError(int status, String category, String message) {
    this(status, category, message, List.of(), Map.of());
  }

  ApiError(int status, String category, String message, List<Map<String, Object>> errors,
      Map<String, Object> context) {
    super(message);
    this.status = status;
    this.category = category;
    this.errors = errors;
    this.context = context;
  }

  static ApiError validation(String message) {
    return new ApiError(400, "VALIDATION_ERROR", message);
  }
}
