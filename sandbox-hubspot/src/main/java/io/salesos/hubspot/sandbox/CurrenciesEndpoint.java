package io.salesos.hubspot.sandbox;

import static io.salesos.hubspot.sandbox.HubSpotApi.array;
import static io.salesos.hubspot.sandbox.HubSpotApi.object;

import io.salesos.hubspot.sandbox.HubSpotApi.Reply;
import java.util.List;
import java.util.Map;

/**
 * The settings currencies API (reads only): the company currency every deal total is reported in,
 * and the portal's exchange rates against it, current and past, paged by {@code after}.
 */
final class CurrenciesEndpoint {

  private static final int MAX_LIMIT = 100;

  Reply companyCurrency(SandboxState state) {
    var n = object();
    n.put("id", state.companyCurrency);
    n.put("createdAt", PropertyDef.iso(java.time.Instant.EPOCH));
    return Reply.json(200, n);
  }

  /** Every exchange rate, oldest first ({@code current}: only the one in force now per currency). */
  Reply exchangeRates(SandboxState state, boolean current, Map<String, List<String>> query) {
    var all = state.exchangeRates.stream()
        .sorted(java.util.Comparator.comparing(ExchangeRate::effectiveAt).thenComparing(ExchangeRate::fromCurrencyCode))
        .toList();
    var now = state.now();
    if (current) {
      var latest = new java.util.LinkedHashMap<String, ExchangeRate>();
      all.stream().filter(r -> !r.effectiveAt().isAfter(now)).forEach(r -> latest.put(r.fromCurrencyCode(), r));
      all = List.copyOf(latest.values());
    }
    int limit = intParam(query, "limit", 10);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new ApiError(400, "VALIDATION_ERROR", "limit must be between 1 and " + MAX_LIMIT);
    }
    int after = intParam(query, "after", 0);
    var out = object();
    var results = array();
    for (int i = after; i < Math.min(all.size(), after + limit); i++) {
      var r = all.get(i);
      var n = object();
      n.put("id", Integer.toString(i + 1));
      n.put("fromCurrencyCode", r.fromCurrencyCode());
      n.put("toCurrencyCode", state.companyCurrency);
      n.put("conversionRate", r.conversionRate());
      n.put("effectiveAt", PropertyDef.iso(r.effectiveAt()));
      n.put("visibleInUI", true);
      n.put("createdAt", PropertyDef.iso(r.effectiveAt()));
      n.put("updatedAt", PropertyDef.iso(r.effectiveAt()));
      results.add(n);
    }
    out.set("results", results);
    if (after + limit < all.size()) {
      var next = object();
      next.put("after", Integer.toString(after + limit));
      var paging = object();
      paging.set("next", next);
      out.set("paging", paging);
    }
    return Reply.json(200, out);
  }

  private static int intParam(Map<String, List<String>> query, String name, int fallback) {
    var v = query.getOrDefault(name, List.of());
    if (v.isEmpty()) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.get(0));
    } catch (NumberFormatException e) {
      throw new ApiError(400, "VALIDATION_ERROR", name + " must be an integer, was " + v.get(0));
    }
  }
}
