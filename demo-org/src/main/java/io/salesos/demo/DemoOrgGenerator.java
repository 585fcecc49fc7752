package io.salesos.demo;

import io.salesos.demo.DemoOrg.Account;
import io.salesos.demo.DemoOrg.Activity;
import io.salesos.demo.DemoOrg.ActivityKind;
import io.salesos.demo.DemoOrg.ActivityStatus;
import io.salesos.demo.DemoOrg.Contact;
import io.salesos.demo.DemoOrg.ContactRole;
import io.salesos.demo.DemoOrg.Deal;
import io.salesos.demo.DemoOrg.ForecastCategory;
import io.salesos.demo.DemoOrg.Role;
import io.salesos.demo.DemoOrg.Stage;
import io.salesos.demo.DemoOrg.StageChange;
import io.salesos.demo.DemoOrg.User;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Generates a deterministic, realistic field-sales org from a seed: a VP, one manager per metro,
 * reps with home bases, accounts with coordinates and opening hours, contacts with buying roles,
 * open and closed deals with stage history, and a year of activities, including the cases the
 * product exists for (stale Commit deals, stalled deals, untouched leads, closed-won deals with no
 * hand-off, accounts whose visits dropped off, a meeting cancelled today).
 */
public final class DemoOrgGenerator {

  /** How big an org to generate. */
  public record Options(
      long seed, Instant asOf, int regions, int repsPerRegion, int accountsPerRep, int openDealsPerRep,
      int closedDealsPerRep, int activitiesPerAccount) {

    public Options {
      if (regions < 1 || regions > METROS.length) {
        throw new IllegalArgumentException("regions must be 1.." + METROS.length);
      }
      if (repsPerRegion < 1 || accountsPerRep < 1) {
        throw new IllegalArgumentException("an org needs reps and accounts");
      }
    }

    /** The demo org: 6 metros, 60 reps, 3,000 accounts, 1,500 open deals, a year of activity. */
    public static Options demo(Instant asOf) {
      return new Options(42L, asOf, 6, 10, 50, 25, 15, 12);
    }

    /** A small org for fast tests. */
    public static Options small(Instant asOf) {
      return new Options(7L, asOf, 2, 3, 8, 4, 2, 4);
    }

    /** An org of roughly {@code records} records, for benchmarks. */
    public static Options ofSize(Instant asOf, int records) {
      // per rep: 50 accounts, ~150 contacts, 40 deals, ~600 activities ~= 840 records
      int reps = Math.max(1, records / 840);
      int regions = Math.min(METROS.length, Math.max(1, reps / 10));
      int perRegion = Math.max(1, (int) Math.ceil(reps / (double) regions));
      return new Options(42L, asOf, regions, perRegion, 50, 25, 15, 12);
    }
  }

  /** A sales region: its city, where it lies, and the zone its reps work in. */
  record Metro(String city, String state, double lat, double lng, ZoneId zone) {}

  static final Metro[] METROS = {
    new Metro("Chicago", "IL", 41.8781, -87.6298, ZoneId.of("America/Chicago")),
    new Metro("Dallas", "TX", 32.7767, -96.7970, ZoneId.of("America/Chicago")),
    new Metro("Atlanta", "GA", 33.7490, -84.3880, ZoneId.of("America/New_York")),
    new Metro("Denver", "CO", 39.7392, -104.9903, ZoneId.of("America/Denver")),
    new Metro("Berlin", "BE", 52.5200, 13.4050, ZoneId.of("Europe/Berlin")),
    new Metro("Bengaluru", "KA", 12.9716, 77.5946, ZoneId.of("Asia/Kolkata")),
  };

  /** The zone of each region the generator can make, by region name. */
  public static java.util.Map<String, ZoneId> regionZones() {
    var out = new java.util.LinkedHashMap<String, ZoneId>();
    for (var m : METROS) {
      out.put(m.city(), m.zone());
    }
    return out;
  }

  private static final String[] FIRST = {
    "Lena", "Trent", "Anil", "Maria", "James", "Priya", "Daniel", "Sofia", "Marcus", "Aisha", "Tom",
    "Grace", "Luis", "Hannah", "Omar", "Chloe", "Ethan", "Mei", "Noah", "Zoe", "Ravi", "Emma",
    "Jonas", "Isabel", "Kofi", "Nina", "Victor", "Sara", "Felix", "Leila"
  };
  private static final String[] LAST = {
    "Okafor", "Walsh", "Mehta", "Garcia", "Keller", "Nguyen", "Brooks", "Rossi", "Larsen", "Haddad",
    "Fischer", "Kim", "Moreno", "Ward", "Patel", "Dubois", "Schmidt", "Chen", "Murphy", "Alvarez",
    "Novak", "Singh", "Bauer", "Costa", "Mensah", "Ivanova", "Berg", "Silva", "Young", "Jensen"
  };
  private static final String[] INDUSTRY = {
    "Manufacturing", "Healthcare", "Retail", "Construction", "Logistics", "Hospitality",
    "Food Service", "Automotive", "Education", "Agriculture"
  };
  private static final String[] NOUN = {
    "Foods", "Medical", "Builders", "Logistics", "Supply", "Motors", "Clinics", "Industries",
    "Hotels", "Farms", "Distribution", "Labs", "Works", "Group", "Partners"
  };
  private static final String[] PREFIX = {
    "North", "Summit", "Lakeside", "Granite", "Pioneer", "Riverbend", "Blue Ridge", "Prairie",
    "Harbor", "Cedar", "Ironwood", "Golden", "Redstone", "Maple", "Silverline", "Eastgate",
    "Westfield", "Crescent", "Evergreen", "Keystone"
  };
  private static final String[] STREET = {"Main St", "Oak Ave", "Industrial Pkwy", "Commerce Dr",
    "Market St", "Lake Rd", "Park Blvd", "Elm St", "Airport Rd", "Mill Rd"};
  private static final String[] TITLES = {"Operations Director", "Purchasing Manager", "CFO",
    "Plant Manager", "IT Manager", "Office Manager", "COO", "Facilities Lead"};

  private final Options options;
  private final SplittableRandom random;
  private final Instant asOf;
  private final LocalDate today;

  private int activitySeq;

  private DemoOrgGenerator(Options options) {
    this.options = options;
    this.random = new SplittableRandom(options.seed());
    this.asOf = options.asOf().truncatedTo(ChronoUnit.SECONDS);
    this.today = LocalDate.ofInstant(asOf, ZoneOffset.UTC);
  }

  /** Generates the org for {@code options}; the same options always give the same org. */
  public static DemoOrg generate(Options options) {
    return new DemoOrgGenerator(options).build();
  }

  private DemoOrg build() {
    var users = new ArrayList<User>();
    var accounts = new ArrayList<Account>();
    var contacts = new ArrayList<Contact>();
    var deals = new ArrayList<Deal>();
    var activities = new ArrayList<Activity>();

    var vp = new User("U000", "Lena", "Okafor", "lena.okafor@demo-salesos.example", "VP of Sales",
        Role.VP, Optional.empty(), "National", METROS[0].lat(), METROS[0].lng(), true, METROS[0].zone());
    users.add(vp);
    int userSeq = 1;
    int accountSeq = 1;
    int contactSeq = 1;
    int dealSeq = 1;
    for (int r = 0; r < options.regions(); r++) {
      var metro = METROS[r];
      var manager = user(userSeq++, "Regional Sales Manager", Role.MANAGER, Optional.of(vp.id()), metro, 0.0, true);
      users.add(manager);
      for (int p = 0; p < options.repsPerRegion(); p++) {
        boolean urban = p % 3 != 2;
        var rep = user(userSeq++, "Account Executive", Role.REP, Optional.of(manager.id()), metro,
            urban ? 0.12 : 0.45, urban);
        users.add(rep);
        var repAccounts = new ArrayList<Account>();
        var repContacts = new ArrayList<Contact>();
        for (int a = 0; a < options.accountsPerRep(); a++) {
          var account = account(accountSeq++, rep, metro, urban);
          repAccounts.add(account);
          int n = 2 + random.nextInt(3);
          for (int c = 0; c < n; c++) {
            var role = c == 0 ? Optional.of("Economic Buyer") : c == 1 ? Optional.of("Champion")
                : random.nextInt(3) == 0 ? Optional.of("Influencer") : Optional.<String>empty();
            repContacts.add(contact(contactSeq++, account, rep, role, "customer",
                account.createdAt().plus(Duration.ofDays(random.nextInt(30)))));
          }
        }
        accounts.addAll(repAccounts);
        // a year of visits, calls and emails with each account's own cadence
        for (var account : repAccounts) {
          activities.addAll(history(account, rep, repContacts));
        }
        var repDeals = new ArrayList<Deal>();
        for (int d = 0; d < options.openDealsPerRep(); d++) {
          var account = repAccounts.get(random.nextInt(repAccounts.size()));
          repDeals.add(openDeal(dealSeq++, account, rep, contactsOf(repContacts, account)));
        }
        for (int d = 0; d < options.closedDealsPerRep(); d++) {
          var account = repAccounts.get(random.nextInt(repAccounts.size()));
          var won = random.nextInt(100) < 35;
          var deal = closedDeal(dealSeq++, account, rep, contactsOf(repContacts, account), won);
          repDeals.add(deal);
          if (won && random.nextInt(4) != 0) {
            activities.add(activity(ActivityKind.TASK, "Hand-off to onboarding: " + deal.name(), rep,
                Optional.of(account.id()), Optional.of(deal.id()), Optional.empty(),
                deal.stageEnteredAt().plus(Duration.ofDays(1)), 30, ActivityStatus.COMPLETED, null));
          }
        }
        // new leads: most touched within a day, some never
        int leads = Math.max(1, options.accountsPerRep() / 10);
        for (int l = 0; l < leads; l++) {
          var account = repAccounts.get(random.nextInt(repAccounts.size()));
          var created = asOf.minus(Duration.ofHours(6 + random.nextInt(24 * 12)));
          var lead = contact(contactSeq++, account, rep, Optional.empty(), "lead", created);
          repContacts.add(lead);
          if (random.nextInt(3) != 0) {
            activities.add(activity(ActivityKind.CALL, "Intro call with " + lead.firstName(), rep,
                Optional.of(account.id()), Optional.empty(), Optional.of(lead.id()),
                created.plus(Duration.ofHours(2 + random.nextInt(20))), 15, ActivityStatus.COMPLETED, null));
          }
        }
        contacts.addAll(repContacts);
        deals.addAll(repDeals);
        // tomorrow's booked meeting for some reps, and one cancelled today
        if (random.nextInt(2) == 0) {
          var account = repAccounts.get(random.nextInt(repAccounts.size()));
          var start = today.plusDays(1).atTime(10 + random.nextInt(5), 0).atZone(rep.timeZone()).toInstant();
          activities.add(activity(ActivityKind.MEETING, "Quarterly review at " + account.name(), rep,
              Optional.of(account.id()), Optional.empty(), Optional.empty(), start, 60, ActivityStatus.PLANNED, null));
        }
      }
    }
    applyStories(users, accounts, contacts, deals, activities);
    closingMeetings(users, deals, activities);
    recentVisits(users, accounts, activities);
    return new DemoOrg(asOf, users, accounts, contacts, deals, activities);
  }

  /**
   * The last eight weeks of visits at each account's own cadence (Strategic every 14 days, Key 30,
   * the rest 60), logged as diligently as each rep logs: most reps record most of their visits, one
   * in six far fewer, so the capture gap and the visited-this-week views have someone to find.
   * Accounts whose visits dropped off stay dropped, and the forecast padder gets none. Drawn from a
   * random stream of its own, after everything else.
   */
  private void recentVisits(List<User> users, List<Account> accounts, List<Activity> activities) {
    var own = new SplittableRandom(options.seed() ^ 0x71517e5L);
    var padder = users.stream().filter(u -> u.role() == Role.REP).findFirst().map(User::id).orElse("");
    var byId = new java.util.HashMap<String, User>();
    users.forEach(u -> byId.put(u.id(), u));
    var lastVisit = new java.util.HashMap<String, Instant>();
    for (var a : activities) {
      if (a.kind() == ActivityKind.VISIT && a.status() == ActivityStatus.COMPLETED && a.accountId().isPresent()) {
        lastVisit.merge(a.accountId().get(), a.startAt(), (x, y) -> x.isAfter(y) ? x : y);
      }
    }
    var diligence = new java.util.HashMap<String, Double>();
    var dropped = asOf.minus(Duration.ofDays(120));
    for (var account : accounts) {
      var last = lastVisit.get(account.id());
      if (account.ownerId().equals(padder) || last == null || last.isBefore(dropped)) {
        continue;
      }
      double logs = diligence.computeIfAbsent(account.ownerId(),
          k -> own.nextInt(6) == 0 ? 0.15 + 0.2 * own.nextDouble() : 0.7 + 0.3 * own.nextDouble());
      double expected = 56.0 / Math.max(1, account.visitEveryDays()) * logs;
      int n = (int) expected + (own.nextDouble() < expected - (int) expected ? 1 : 0);
      for (int i = 0; i < n; i++) {
        var day = workday(today.minusDays(1 + own.nextInt(56)));
        var start = day.atTime(8 + own.nextInt(8), own.nextInt(4) * 15).atZone(byId.get(account.ownerId()).timeZone()).toInstant();
        boolean onSite = own.nextInt(5) != 0;
        activities.add(activity(ActivityKind.VISIT, "Visit " + account.name(), byId.get(account.ownerId()),
            Optional.of(account.id()), Optional.empty(), Optional.empty(), start, 45, ActivityStatus.COMPLETED,
            onSite ? new double[] {account.lat() + (own.nextDouble() * 2 - 1) * 0.0007,
                account.lng() + (own.nextDouble() * 2 - 1) * 0.0007} : null));
      }
    }
  }

  /**
   * Reps who work a deal to its close meet the buyer: most late-stage deals closing this quarter
   * get a meeting at the account in the last two weeks, so the evidence-adjusted forecast of an
   * ordinary rep stays close to the call and the padders stand out. The forecast padder of the
   * stories gets none. Drawn from a random stream of its own, after everything else, so the rest of
   * the org is the same as without it.
   */
  private void closingMeetings(List<User> users, List<Deal> deals, List<Activity> activities) {
    var own = new SplittableRandom(options.seed() ^ 0x5eed_c105eL);
    var padder = users.stream().filter(u -> u.role() == Role.REP).findFirst().map(User::id).orElse("");
    var byId = new java.util.HashMap<String, User>();
    users.forEach(u -> byId.put(u.id(), u));
    var quarterEnd = today.withDayOfMonth(1).withMonth(((today.getMonthValue() - 1) / 3) * 3 + 3)
        .with(java.time.temporal.TemporalAdjusters.lastDayOfMonth());
    for (var d : deals) {
      boolean late = d.stage() == Stage.NEGOTIATION || d.stage() == Stage.VERBAL_COMMIT;
      if (!late || d.ownerId().equals(padder) || d.closeDate().isAfter(quarterEnd) || own.nextInt(100) >= 80) {
        continue;
      }
      var start = today.minusDays(2 + own.nextInt(11)).atTime(9 + own.nextInt(7), 0)
          .atZone(byId.get(d.ownerId()).timeZone()).toInstant();
      activities.add(activity(ActivityKind.MEETING, "Contract review: " + d.name(), byId.get(d.ownerId()),
          Optional.of(d.accountId()), Optional.of(d.id()), Optional.empty(), start, 60, ActivityStatus.COMPLETED, null));
    }
  }

  /**
   * The cases the product exists for, planted on named reps so the demo can tell them: the first
   * rep's Verbal Commit deals whose accounts went unvisited for months, the second rep's deals
   * stuck eight weeks in Qualification, and a meeting cancelled today.
   */
  private void applyStories(List<User> users, List<Account> accounts, List<Contact> contacts,
      List<Deal> deals, List<Activity> activities) {
    var reps = users.stream().filter(u -> u.role() == Role.REP).toList();
    var padder = reps.get(0);
    var padderAccounts = accounts.stream().filter(a -> a.ownerId().equals(padder.id())).limit(9).toList();
    int dealSeq = deals.size() + 1;
    for (var account : padderAccounts) {
      // the rep stopped visiting these accounts months ago; the deals still sit in Verbal Commit
      activities.removeIf(a -> a.accountId().equals(Optional.of(account.id()))
          && a.startAt().isAfter(asOf.minus(Duration.ofDays(100))));
      var entered = asOf.minus(Duration.ofDays(20 + random.nextInt(20)));
      var amount = money(60_000 + random.nextInt(140_000));
      var close = today.plusDays(10 + random.nextInt(40));
      var history = List.of(
          new StageChange(Stage.QUALIFICATION, amount, close, ForecastCategory.PIPELINE, entered.minus(Duration.ofDays(120))),
          new StageChange(Stage.PROPOSAL, amount, close, ForecastCategory.BEST_CASE, entered.minus(Duration.ofDays(60))),
          new StageChange(Stage.VERBAL_COMMIT, amount, close, ForecastCategory.COMMIT, entered));
      var roles = contactsOf(contacts, account).stream().limit(1)
          .map(c -> new ContactRole(c.id(), "Decision Maker", true)).toList();
      deals.add(new Deal(String.format("D%05d", dealSeq++), account.name() + " - Fleet renewal", account.id(),
          padder.id(), Stage.VERBAL_COMMIT, amount, close, ForecastCategory.COMMIT,
          Optional.of("Send final contract"), Optional.of(today.plusDays(3)), Optional.empty(), roles,
          entered.minus(Duration.ofDays(150)), history));
    }
    var staller = reps.get(Math.min(1, reps.size() - 1));
    var stallerAccounts = accounts.stream().filter(a -> a.ownerId().equals(staller.id())).skip(1).limit(3).toList();
    for (var account : stallerAccounts) {
      var entered = asOf.minus(Duration.ofDays(56 + random.nextInt(5)));
      var amount = money(15_000 + random.nextInt(30_000));
      var close = today.plusDays(30 + random.nextInt(30));
      deals.add(new Deal(String.format("D%05d", dealSeq++), account.name() + " - Expansion", account.id(),
          staller.id(), Stage.QUALIFICATION, amount, close, ForecastCategory.PIPELINE,
          Optional.empty(), Optional.empty(), Optional.empty(), List.of(), entered.minus(Duration.ofDays(10)),
          List.of(new StageChange(Stage.QUALIFICATION, amount, close, ForecastCategory.PIPELINE, entered))));
    }
    // a meeting booked for today, cancelled this morning
    var account = accounts.stream().filter(a -> a.ownerId().equals(staller.id())).findFirst().orElseThrow();
    var start = LocalDate.ofInstant(asOf, staller.timeZone()).atTime(14, 0).atZone(staller.timeZone()).toInstant();
    activities.add(activity(ActivityKind.MEETING, "Site walk-through at " + account.name(), staller,
        Optional.of(account.id()), Optional.empty(), Optional.empty(), start, 60, ActivityStatus.CANCELLED, null));
  }

  private User user(int seq, String title, Role role, Optional<String> managerId, Metro metro, double spread, boolean urban) {
    var first = FIRST[random.nextInt(FIRST.length)];
    var last = LAST[random.nextInt(LAST.length)];
    var id = String.format("U%03d", seq);
    return new User(id, first, last,
        (first + "." + last + "." + id).toLowerCase() + "@demo-salesos.example", title, role, managerId,
        metro.city(), jitter(metro.lat(), spread), jitter(metro.lng(), spread * 1.3), urban, metro.zone());
  }

  private Account account(int seq, User rep, Metro metro, boolean urban) {
    double spread = urban ? 0.25 : 0.7;
    var tierRoll = random.nextInt(100);
    var tier = tierRoll < 10 ? "Strategic" : tierRoll < 40 ? "Key" : "Standard";
    var hours = switch (random.nextInt(6)) {
      case 0 -> "Mon-Fri 07:00-15:00";
      case 1 -> "Mon-Fri 09:00-17:00";
      case 2 -> "Mon-Thu 08:00-16:00";
      case 3 -> "Mon-Fri 10:00-18:00";
      case 4 -> "Mon-Sat 08:00-12:00";
      default -> "Mon-Fri 08:00-17:00";
    };
    int every = switch (tier) {
      case "Strategic" -> 14;
      case "Key" -> 30;
      default -> 60;
    };
    return new Account(String.format("A%05d", seq),
        PREFIX[random.nextInt(PREFIX.length)] + " " + NOUN[random.nextInt(NOUN.length)] + " " + seq,
        rep.id(), INDUSTRY[random.nextInt(INDUSTRY.length)],
        (100 + random.nextInt(9800)) + " " + STREET[random.nextInt(STREET.length)], metro.city(), metro.state(),
        round6(jitter(rep.baseLat(), spread)), round6(jitter(rep.baseLng(), spread * 1.3)), hours, tier, every,
        asOf.minus(Duration.ofDays(400 + random.nextInt(1500))));
  }

  private Contact contact(int seq, Account account, User rep, Optional<String> role, String lifecycle, Instant created) {
    var first = FIRST[random.nextInt(FIRST.length)];
    var last = LAST[random.nextInt(LAST.length)];
    var id = String.format("C%06d", seq);
    var domain = account.name().toLowerCase().replaceAll("[^a-z0-9]+", "") + ".example";
    return new Contact(id, account.id(), rep.id(), first, last,
        (first + "." + last + seq).toLowerCase() + "@" + domain,
        role.map(r -> r.equals("Economic Buyer") ? "CFO" : TITLES[random.nextInt(TITLES.length)])
            .orElse(TITLES[random.nextInt(TITLES.length)]),
        role, lifecycle, created);
  }

  private List<Activity> history(Account account, User rep, List<Contact> contacts) {
    var list = new ArrayList<Activity>();
    var cs = contactsOf(contacts, account);
    var contact = cs.isEmpty() ? Optional.<String>empty() : Optional.of(cs.get(0).id());
    // one account in twelve used to be visited often and then was dropped: the churn signal
    boolean dropped = random.nextInt(12) == 0;
    int visits = Math.max(1, options.activitiesPerAccount() / 3);
    for (int i = 0; i < visits; i++) {
      long daysAgo = (long) (365.0 * (i + random.nextDouble()) / visits);
      if (dropped && daysAgo < 120) {
        continue;
      }
      var day = workday(today.minusDays(daysAgo + 1));
      var start = day.atTime(8 + random.nextInt(8), random.nextInt(4) * 15).atZone(rep.timeZone()).toInstant();
      // most visits are checked in on site; some are typed in later from the office
      boolean onSite = random.nextInt(5) != 0;
      list.add(activity(ActivityKind.VISIT, "Visit " + account.name(), rep, Optional.of(account.id()),
          Optional.empty(), contact, start, 45, ActivityStatus.COMPLETED,
          onSite ? new double[] {jitter(account.lat(), 0.0007), jitter(account.lng(), 0.0007)} : null));
    }
    int other = options.activitiesPerAccount() - visits;
    for (int i = 0; i < other; i++) {
      long daysAgo = 1 + random.nextInt(365);
      if (dropped && daysAgo < 120) {
        continue;
      }
      var kind = random.nextInt(3) == 0 ? ActivityKind.EMAIL : random.nextInt(2) == 0 ? ActivityKind.CALL : ActivityKind.MEETING;
      var day = workday(today.minusDays(daysAgo));
      var start = day.atTime(8 + random.nextInt(9), random.nextInt(4) * 15).atZone(rep.timeZone()).toInstant();
      var subject = switch (kind) {
        case EMAIL -> "Follow-up email";
        case CALL -> "Check-in call";
        default -> "Meeting with " + account.name();
      };
      list.add(activity(kind, subject, rep, Optional.of(account.id()), Optional.empty(), contact, start,
          kind == ActivityKind.MEETING ? 60 : 15, ActivityStatus.COMPLETED, null));
    }
    return list;
  }

  private Deal openDeal(int seq, Account account, User rep, List<Contact> contacts) {
    var stage = Stage.values()[random.nextInt(6)];
    var amount = money(amountFor(account));
    var close = today.plusDays(5 + random.nextInt(150));
    var category = switch (stage) {
      case PROSPECTING, QUALIFICATION -> ForecastCategory.PIPELINE;
      case DISCOVERY, PROPOSAL -> random.nextInt(3) == 0 ? ForecastCategory.BEST_CASE : ForecastCategory.PIPELINE;
      case NEGOTIATION -> random.nextInt(2) == 0 ? ForecastCategory.COMMIT : ForecastCategory.BEST_CASE;
      default -> ForecastCategory.COMMIT;
    };
    var history = new ArrayList<StageChange>();
    var created = asOf.minus(Duration.ofDays(20 + random.nextInt(200)));
    var at = created;
    for (int s = 0; s <= stage.ordinal(); s++) {
      history.add(new StageChange(Stage.values()[s], amount, close,
          s == stage.ordinal() ? category : ForecastCategory.PIPELINE, at));
      long gap = Math.max(1, Duration.between(at, asOf).toDays() / (stage.ordinal() - s + 2));
      at = at.plus(Duration.ofDays(1 + random.nextLong(gap)));
    }
    // most open deals moved lately (a few weeks in their stage, the odd one for months), so the
    // stall rules find the stuck ones rather than most of the pipeline; no extra random draws
    var last = history.get(history.size() - 1);
    var inStage = Duration.between(last.at(), asOf);
    history.set(history.size() - 1, new StageChange(last.stage(), last.amount(), last.closeDate(),
        last.forecastCategory(), asOf.minus(inStage.multipliedBy(3).dividedBy(10))));
    var roles = new ArrayList<ContactRole>();
    for (int i = 0; i < contacts.size() && i < 1 + stage.ordinal() / 2; i++) {
      var c = contacts.get(i);
      roles.add(new ContactRole(c.id(), c.buyingRole().orElse("Influencer"), i == 0 && random.nextInt(8) != 0));
    }
    boolean hasNext = random.nextInt(4) != 0;
    return new Deal(String.format("D%05d", seq), account.name() + " - " + dealTheme(), account.id(), rep.id(),
        stage, amount, close, category,
        hasNext ? Optional.of(nextStepText(stage)) : Optional.empty(),
        hasNext && random.nextInt(5) != 0 ? Optional.of(today.plusDays(random.nextInt(21) - 5)) : Optional.empty(),
        stage.ordinal() >= Stage.PROPOSAL.ordinal() && random.nextInt(2) == 0
            ? Optional.of("https://docs.demo-salesos.example/map/" + seq) : Optional.empty(),
        roles, history.size() == 1 ? history.get(0).at() : created, history);
  }

  private Deal closedDeal(int seq, Account account, User rep, List<Contact> contacts, boolean won) {
    var amount = money(amountFor(account));
    var closedAt = asOf.minus(Duration.ofDays(1 + random.nextInt(360)));
    var created = closedAt.minus(Duration.ofDays(30 + random.nextInt(150)));
    var close = LocalDate.ofInstant(closedAt, ZoneOffset.UTC);
    var stage = won ? Stage.CLOSED_WON : Stage.CLOSED_LOST;
    var history = List.of(
        new StageChange(Stage.QUALIFICATION, amount, close.plusDays(random.nextInt(30)), ForecastCategory.PIPELINE, created),
        new StageChange(Stage.PROPOSAL, amount, close, ForecastCategory.BEST_CASE,
            created.plus(Duration.between(created, closedAt).dividedBy(2))),
        new StageChange(stage, amount, close, won ? ForecastCategory.CLOSED : ForecastCategory.OMITTED, closedAt));
    var roles = contacts.isEmpty() ? List.<ContactRole>of()
        : List.of(new ContactRole(contacts.get(0).id(), "Decision Maker", true));
    return new Deal(String.format("D%05d", seq), account.name() + " - " + dealTheme(), account.id(), rep.id(),
        stage, amount, close, won ? ForecastCategory.CLOSED : ForecastCategory.OMITTED, Optional.empty(),
        Optional.empty(), Optional.empty(), roles, created, history);
  }

  private Activity activity(ActivityKind kind, String subject, User owner, Optional<String> accountId,
      Optional<String> dealId, Optional<String> contactId, Instant start, int minutes, ActivityStatus status,
      double[] checkIn) {
    var id = String.format("T%07d", ++activitySeq);
    return new Activity(id, kind, subject, owner.id(), accountId, dealId, contactId, start,
        start.plus(Duration.ofMinutes(minutes)), status,
        checkIn == null ? Optional.empty() : Optional.of(round6(checkIn[0])),
        checkIn == null ? Optional.empty() : Optional.of(round6(checkIn[1])));
  }

  private int amountFor(Account account) {
    return switch (account.tier()) {
      case "Strategic" -> 80_000 + random.nextInt(220_000);
      case "Key" -> 20_000 + random.nextInt(60_000);
      default -> 3_000 + random.nextInt(17_000);
    };
  }

  private String dealTheme() {
    String[] themes = {"Fleet renewal", "New site rollout", "Service contract", "Equipment upgrade",
      "Pilot", "Annual supply", "Expansion", "Replacement program"};
    return themes[random.nextInt(themes.length)];
  }

  private String nextStepText(Stage stage) {
    return switch (stage) {
      case PROSPECTING, QUALIFICATION -> "Book discovery meeting";
      case DISCOVERY -> "Site survey with operations";
      case PROPOSAL -> "Present proposal to buying group";
      case NEGOTIATION -> "Redline review with procurement";
      default -> "Countersign contract";
    };
  }

  private static List<Contact> contactsOf(List<Contact> contacts, Account account) {
    return contacts.stream().filter(c -> c.accountId().equals(account.id()) && !c.lifecycle().equals("lead")).toList();
  }

  private static LocalDate workday(LocalDate day) {
    var d = day;
    while (d.getDayOfWeek() == DayOfWeek.SATURDAY || d.getDayOfWeek() == DayOfWeek.SUNDAY) {
      d = d.minusDays(1);
    }
    return d;
  }

  private double jitter(double center, double spread) {
    return center + (random.nextDouble() * 2 - 1) * spread;
  }

  private static double round6(double v) {
    return Math.round(v * 1e6) / 1e6;
  }

  private static BigDecimal money(int dollars) {
    // amounts are rounded to the hundred, as reps enter them, with cents kept explicit
    return BigDecimal.valueOf(dollars / 100 * 100L).setScale(2, RoundingMode.UNNECESSARY);
  }
}
