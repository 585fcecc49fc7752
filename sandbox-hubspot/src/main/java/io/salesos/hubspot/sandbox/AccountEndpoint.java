package io.salesos.hubspot.sandbox;

import static io.salesos.hubspot.sandbox.HubSpotApi.array;
import static io.salesos.hubspot.sandbox.HubSpotApi.object;

import io.salesos.hubspot.sandbox.HubSpotApi.Reply;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The account information API: the portal's details (id, time zone, currency, data hosting) and
 * the private app's daily API usage, counted by the sandbox's own request budget.
 */
final class AccountEndpoint {

  /** The sandbox portal's id; a real portal's is an integer HubSpot assigns at sign-up. */
  static final long PORTAL_ID = 24_681_357L;

  private final RequestBudget budget;

  AccountEndpoint(RequestBudget budget) {
    this.budget = budget;
  }

  Reply details(SandboxState state) {
    var n = object();
    n.put("portalId", PORTAL_ID);
    n.put("accountType", "STANDARD");
    // the portal's zone (Settings > Account defaults), with its offset now
    var zone = java.time.ZoneId.of(state.portalTimeZone);
    var offset = zone.getRules().getOffset(state.clock.instant());
    n.put("timeZone", state.portalTimeZone);
    n.put("companyCurrency", state.companyCurrency);
    var additional = array();
    state.exchangeRates.stream().map(ExchangeRate::fromCurrencyCode).distinct().forEach(additional::add);
    n.set("additionalCurrencies", additional);
    n.put("utcOffset", offset.getId().equals("Z") ? "+00:00" : offset.getId());
    n.put("utcOffsetMilliseconds", offset.getTotalSeconds() * 1000L);
    n.put("uiDomain", "app.hubspot.com");
    n.put("dataHostingLocation", "na1");
    return Reply.json(200, n);
  }

  /** Today's private-app calls against the daily limit, resetting at the next midnight (UTC here). */
  Reply dailyUsage(SandboxState state) {
    var now = state.now();
    var usage = object();
    usage.put("name", "private-apps-api-calls-daily");
    usage.put("usageLimit", budget.dailyLimit());
    usage.put("currentUsage", budget.usedToday());
    usage.put("collectedAt", PropertyDef.iso(now));
    usage.put("fetchStatus", "SUCCESS");
    usage.put("resetsAt", PropertyDef.iso(LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1)
        .atStartOfDay().toInstant(ZoneOffset.UTC)));
    var out = object();
    out.set("results", array().add(usage));
    return Reply.json(200, out);
  }
}
