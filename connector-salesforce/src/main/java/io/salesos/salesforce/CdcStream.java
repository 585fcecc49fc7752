package io.salesos.salesforce;

import com.google.protobuf.ByteString;
import com.salesforce.eventbus.protobuf.ConsumerEvent;
import com.salesforce.eventbus.protobuf.FetchRequest;
import com.salesforce.eventbus.protobuf.FetchResponse;
import com.salesforce.eventbus.protobuf.ReplayPreset;
import com.salesforce.eventbus.protobuf.SchemaRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.salesos.pubsub.PubSubService;
import io.salesos.spi.ChangeStream;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.Deletion;
import io.salesos.spi.RawRecord;
import io.salesos.spi.StreamBatch;
import io.salesos.spi.StreamPosition;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Salesforce Change Data Capture over the Pub/Sub API (gRPC) as a {@link ChangeStream}: one
 * Subscribe stream on /data/ChangeEvents, opened from the stored replay id (CUSTOM) and kept open
 * between reads, filling a buffer in the background under flow control (at most 100 events
 * requested ahead); a read takes what the buffer holds without waiting and without holding the
 * connector's turn, decodes each event's Avro payload with the schema GetSchema returns (cached by
 * schema id), and reads the records the events name again by id with the connector's SOQL read
 * (200 ids a query) with the mapped fields; DELETE events, and ids the read no longer finds, are
 * deletions. Gap events (GAP_CREATE, GAP_UPDATE, ...), overflow events (GAP_OVERFLOW) and a replay
 * id the event bus rejects (older than its 72 hours) interrupt the stream, and core pulls from its
 * checkpoints instead. A position is the replay id's bytes in base64. Facts and sources:
 * docs/change-streams.md.
 */
final class CdcStream implements ChangeStream, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CdcStream.class);
  static final String CHANNEL = "/data/ChangeEvents";
  /**
   * The objects salesos maps whose changes Change Data Capture publishes (each must be selected in
   * Setup > Change Data Capture); the others (stage history, contact roles, users, the org's
   * stages) stay with the poll.
   */
  static final List<String> OBJECTS = List.of("Account", "Contact", "Event", "Lead", "Opportunity", "Task");
  /** A position taken at the tip before the subscription named a replay id: "tip@" and the time. */
  private static final String TIP = "tip@";
  /** How many events are requested ahead (the Pub/Sub API's maximum for one FetchRequest). */
  static final int FLOW = 100;

  /** What the background subscription hands the reader, in order. */
  private sealed interface Item permits Arrived, Idle, Ended {}

  private record Arrived(ConsumerEvent event) implements Item {}

  /** An empty response: nothing after {@code latest}. */
  private record Idle(ByteString latest) implements Item {}

  private record Ended(Throwable cause) implements Item {}

  /** The session headers the Pub/Sub API takes, from the connector's live session. */
  record Auth(String accessToken, String instanceUrl, String tenantId) {}

  /** What the stream needs of its connector: its session, a fresh login, and the read by id. */
  interface Org {
    Auth auth() throws ConnectorException;

    void reauthenticate() throws ConnectorException;

    Optional<List<RawRecord>> read(String object, List<String> fields, List<String> ids) throws ConnectorException;
  }

  private final String name;
  private final Org org;
  private final java.net.URI url;
  private final Duration firstResponseWait;
  /** How long a read waits for a change when none is buffered (the stream follower pauses after an empty read too). */
  private final Duration idleWait;
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
  private volatile Auth auth;
  private ManagedChannel channel;
  private Channel authed;
  private Subscription live;

  CdcStream(String name, Org org, java.net.URI url, Duration firstResponseWait, Duration idleWait) {
    this.idleWait = idleWait;
    this.name = name;
    this.org = org;
    this.url = url;
    this.firstResponseWait = firstResponseWait;
  }

  @Override
  public List<String> objects() {
    return OBJECTS;
  }

  /** One open Subscribe stream and what it has buffered; {@code at} is where the reader has consumed up to. */
  private final class Subscription implements StreamObserver<FetchResponse> {
    final LinkedBlockingDeque<Item> buffer = new LinkedBlockingDeque<>();
    final StreamObserver<FetchRequest> requests;
    StreamPosition at;
    volatile boolean ended;

    Subscription(ReplayPreset preset, StreamPosition from) throws ConnectorException {
      this.at = from;
      var first = FetchRequest.newBuilder().setTopicName(CHANNEL).setReplayPreset(preset).setNumRequested(FLOW);
      if (preset == ReplayPreset.CUSTOM) {
        first.setReplayId(ByteString.copyFrom(bytes(from)));
      }
      requests = PubSubService.subscribe(authed, CallOptions.DEFAULT, this);
      requests.onNext(first.build());
    }

    @Override
    public void onNext(FetchResponse r) {
      if (r.getEventsCount() == 0) {
        buffer.add(new Idle(r.getLatestReplayId()));
      }
      r.getEventsList().forEach(e -> buffer.add(new Arrived(e)));
    }

    @Override
    public void onError(Throwable t) {
      ended = true;
      buffer.add(new Ended(t));
    }

    @Override
    public void onCompleted() {
      ended = true;
      buffer.add(new Ended(Status.UNAVAILABLE.withDescription("the server ended the subscription").asRuntimeException()));
    }

    void more(int n) {
      if (n > 0 && !ended) {
        requests.onNext(FetchRequest.newBuilder().setNumRequested(n).build());
      }
    }

    void cancel() {
      if (!ended) {
        ended = true;
        requests.onError(Status.CANCELLED.withDescription("salesos reopens the subscription").asRuntimeException());
      }
    }
  }

  /**
   * The replay id at the tip of the stream now: a subscription at LATEST, kept open for the reads
   * after, whose first response names it (an empty response carries the latest replay id; an event
   * is the tip's next change and stays buffered for the first read).
   */
  @Override
  public synchronized StreamPosition head() throws ConnectorException {
    var sub = open(ReplayPreset.LATEST, StreamPosition.START);
    Item first;
    try {
      first = sub.buffer.poll(firstResponseWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectorException(ConnectorException.Kind.TRANSIENT, "interrupted while subscribing", e);
    }
    if (first == null) {
      // nothing yet (Salesforce sends its first keepalive within 270 s): the open subscription is the
      // position until it names a replay id; if it ends before, its changes are the pull's
      sub.at = new StreamPosition(TIP + System.currentTimeMillis());
      return sub.at;
    }
    if (first instanceof Idle idle) {
      sub.at = position(idle.latest());
      return sub.at;
    }
    if (first instanceof Arrived arrived) {
      // the first change after the tip: the head is its replay id, and it stays buffered for the first read
      sub.buffer.addFirst(first);
      sub.at = position(arrived.event().getReplayId());
      return sub.at;
    }
    live = null;
    throw failure(((Ended) first).cause());
  }

  @Override
  public synchronized StreamBatch read(StreamPosition from, Map<String, List<String>> fields, int maxEntries)
      throws ConnectorException {
    boolean fresh = false;
    boolean usable = live != null && !(live.ended && live.buffer.isEmpty()) && live.at.equals(from);
    if (from.value().startsWith(TIP) && !usable) {
      return StreamBatch.interrupted(from, new Interruption(Interruption.Kind.EXPIRED, "the subscription opened at the"
          + " tip of " + CHANNEL + " ended before it named a replay id, so there is none to resume from"));
    }
    if (!usable) {
      open(from.isStart() ? ReplayPreset.EARLIEST : ReplayPreset.CUSTOM, from);
      fresh = true;
    }
    var sub = live;
    var changed = new LinkedHashMap<String, LinkedHashSet<String>>();
    var deleted = new LinkedHashMap<String, Map<String, Instant>>();
    var committed = new HashMap<String, Instant>();
    var position = from;
    int entries = 0;
    Optional<Interruption> interruption = Optional.empty();
    ConnectorException failed = null;
    while (entries < maxEntries) {
      Item item;
      try {
        // a long poll: the first item may be waited for (a subscription just opened answers with its first
        // response at once; an open one delivers a change as it is committed); after that nothing is waited for
        item = entries == 0 && position.equals(from)
            ? sub.buffer.poll((fresh ? firstResponseWait : idleWait).toMillis(), TimeUnit.MILLISECONDS) : sub.buffer.poll();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      fresh = false;
      if (item == null) {
        break;
      }
      if (item instanceof Idle idle) {
        // nothing after the latest replay id: moving there keeps the position young (it expires in 72 hours)
        if (sub.buffer.isEmpty() && !idle.latest().isEmpty()) {
          position = position(idle.latest());
        }
        continue;
      }
      if (item instanceof Ended ended) {
        if (isReplayIdRejected(ended.cause())) {
          interruption = Optional.of(new Interruption(Interruption.Kind.EXPIRED, "the event bus rejected replay id "
              + from + " (" + PubSubService.REPLAY_ID_CORRUPTED + "): it is not valid or older than the 72 hours"
              + " events are kept"));
        } else if (entries == 0) {
          failed = failure(ended.cause());
        }
        break;
      }
      var event = ((Arrived) item).event();
      entries++;
      var decoded = decode(event);
      var header = (GenericRecord) decoded.get("ChangeEventHeader");
      var type = String.valueOf(header.get("changeType"));
      var entity = String.valueOf(header.get("entityName"));
      var ids = new ArrayList<String>();
      ((List<?>) header.get("recordIds")).forEach(id -> ids.add(String.valueOf(id)));
      if (type.startsWith("GAP_")) {
        interruption = Optional.of(new Interruption(type.equals("GAP_OVERFLOW") ? Interruption.Kind.OVERFLOW
            : Interruption.Kind.GAP, (type.equals("GAP_OVERFLOW")
            ? "an overflow event: a transaction changed more " + entity + " records than Change Data Capture reports"
            : "a gap event " + type + " for " + entity + " " + ids + ": Salesforce could not publish the change itself")
            + " (replay id " + position(event.getReplayId()) + ")"));
        break;
      }
      position = position(event.getReplayId());
      if (!fields.containsKey(entity)) {
        continue;
      }
      var at = Instant.ofEpochMilli((Long) header.get("commitTimestamp"));
      for (var id : ids) {
        committed.merge(StreamBatch.key(entity, id), at, (a, b) -> a.isAfter(b) ? a : b);
        if (type.equals("DELETE")) {
          deleted.computeIfAbsent(entity, k -> new LinkedHashMap<>()).put(id, at);
          var c = changed.get(entity);
          if (c != null) {
            c.remove(id);
          }
        } else {
          changed.computeIfAbsent(entity, k -> new LinkedHashSet<>()).add(id);
          var d = deleted.get(entity);
          if (d != null) {
            d.remove(id);
          }
        }
      }
    }
    sub.at = position;
    // as many more as were taken, so about FLOW stay requested ahead
    sub.more(entries);
    if (failed != null) {
      throw failed;
    }
    var records = new LinkedHashMap<String, List<RawRecord>>();
    var deletions = new LinkedHashMap<String, List<Deletion>>();
    for (var e : changed.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      var ids = List.copyOf(e.getValue());
      var read = org.read(e.getKey(), fields.get(e.getKey()), ids).orElse(List.of());
      records.put(e.getKey(), read);
      var found = new java.util.HashSet<String>();
      read.forEach(r -> found.add(r.id()));
      for (var id : ids) {
        if (!found.contains(id)) {
          // changed and deleted before this read: the read by id no longer finds it
          deleted.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>())
              .put(id, committed.get(StreamBatch.key(e.getKey(), id)));
        }
      }
    }
    deleted.forEach((object, ids) -> {
      var list = new ArrayList<Deletion>();
      ids.forEach((id, at) -> list.add(new Deletion(id, at)));
      deletions.put(object, list);
    });
    boolean more = interruption.isEmpty() && sub.buffer.stream().anyMatch(i -> i instanceof Arrived);
    if (interruption.isPresent()) {
      // after a fallback core resumes from a new head: this subscription is done
      sub.cancel();
      live = null;
    }
    return new StreamBatch(records, deletions, committed, position, more, entries, interruption);
  }

  private Subscription open(ReplayPreset preset, StreamPosition from) throws ConnectorException {
    if (live != null) {
      live.cancel();
      live = null;
    }
    connect();
    live = new Subscription(preset, from);
    LOG.info("event=cdc_subscribed connection={} channel={} replay_preset={} from={}", name, CHANNEL, preset, from);
    return live;
  }

  private void connect() throws ConnectorException {
    if (auth == null) {
      auth = org.auth();
    }
    if (channel == null) {
      var builder = NettyChannelBuilder.forAddress(url.getHost(), url.getPort());
      if ("http".equals(url.getScheme())) {
        builder.usePlaintext();
      } else {
        builder.useTransportSecurity();
      }
      channel = builder.keepAliveTime(60, TimeUnit.SECONDS).build();
      authed = ClientInterceptors.intercept(channel, new Headers());
    }
  }

  /** Puts the session headers on every call, from the session the stream holds now. */
  private final class Headers implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          var a = auth;
          headers.put(PubSubService.ACCESS_TOKEN, a.accessToken());
          headers.put(PubSubService.INSTANCE_URL, a.instanceUrl());
          headers.put(PubSubService.TENANT_ID, a.tenantId());
          super.start(listener, headers);
        }
      };
    }
  }

  private GenericRecord decode(ConsumerEvent event) throws ConnectorException {
    var schemaId = event.getEvent().getSchemaId();
    var schema = schemas.get(schemaId);
    if (schema == null) {
      try {
        var info = PubSubService.getSchema(authed, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
            SchemaRequest.newBuilder().setSchemaId(schemaId).build());
        schema = new Schema.Parser().parse(info.getSchemaJson());
      } catch (StatusRuntimeException e) {
        throw failure(e);
      } catch (org.apache.avro.SchemaParseException e) {
        throw new ConnectorException(ConnectorException.Kind.PERMANENT, "GetSchema answered an unreadable Avro schema for "
            + schemaId + ": " + e.getMessage(), e);
      }
      schemas.put(schemaId, schema);
    }
    try {
      var decoder = DecoderFactory.get().binaryDecoder(event.getEvent().getPayload().toByteArray(), null);
      return new GenericDatumReader<GenericRecord>(schema).read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new ConnectorException(ConnectorException.Kind.PERMANENT, "change event " + position(event.getReplayId())
          + " does not decode with its schema " + schemaId + ": " + e, e);
    }
  }

  private static boolean isReplayIdRejected(Throwable t) {
    if (t instanceof StatusRuntimeException e && e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
      var trailers = e.getTrailers();
      var code = trailers == null ? null : trailers.get(PubSubService.ERROR_CODE);
      // the code travels in the trailers; a proxy that drops them leaves it in the description
      return PubSubService.REPLAY_ID_CORRUPTED.equals(code)
          || String.valueOf(e.getStatus().getDescription()).contains("replayid.corrupted");
    }
    return false;
  }

  /** A failed subscription or call as a connector failure; a refused session is renewed for the next try. */
  private ConnectorException failure(Throwable t) {
    if (t instanceof StatusRuntimeException e) {
      var code = e.getStatus().getCode();
      var trailers = e.getTrailers();
      var errorCode = trailers == null ? null : trailers.get(PubSubService.ERROR_CODE);
      var what = "the Pub/Sub API subscription to " + CHANNEL + " failed: " + code + " "
          + e.getStatus().getDescription() + (errorCode == null ? "" : " (" + errorCode + ")");
      if (code == Status.Code.UNAUTHENTICATED) {
        try {
          org.reauthenticate();
          auth = org.auth();
        } catch (ConnectorException again) {
          return again;
        }
        return new ConnectorException(ConnectorException.Kind.TRANSIENT, what + "; logged in again for the next try", e);
      }
      if (code == Status.Code.PERMISSION_DENIED || code == Status.Code.NOT_FOUND) {
        return new ConnectorException(ConnectorException.Kind.PERMANENT, what + "; check that the integration user may"
            + " subscribe to change events (View All Data, or View All for each object) and that the objects are"
            + " selected in Setup > Change Data Capture", e);
      }
      return new ConnectorException(ConnectorException.Kind.TRANSIENT, what, e);
    }
    return new ConnectorException(ConnectorException.Kind.TRANSIENT, "the Pub/Sub API subscription failed: " + t, t);
  }

  static StreamPosition position(ByteString replayId) {
    return new StreamPosition(Base64.getEncoder().encodeToString(replayId.toByteArray()));
  }

  private static byte[] bytes(StreamPosition p) throws ConnectorException {
    try {
      return Base64.getDecoder().decode(p.value());
    } catch (IllegalArgumentException e) {
      throw new ConnectorException(ConnectorException.Kind.PERMANENT, "not a Change Data Capture position (a base64"
          + " replay id): " + p);
    }
  }

  @Override
  public synchronized void close() {
    if (live != null) {
      live.cancel();
      live = null;
    }
    if (channel != null) {
      channel.shutdownNow();
      channel = null;
    }
  }
}
