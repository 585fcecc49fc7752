package io.salesos.salesforce.sandbox;

import com.google.protobuf.ByteString;
import com.salesforce.eventbus.protobuf.ConsumerEvent;
import com.salesforce.eventbus.protobuf.FetchRequest;
import com.salesforce.eventbus.protobuf.FetchResponse;
import com.salesforce.eventbus.protobuf.ProducerEvent;
import com.salesforce.eventbus.protobuf.ReplayPreset;
import com.salesforce.eventbus.protobuf.SchemaInfo;
import com.salesforce.eventbus.protobuf.SchemaRequest;
import com.salesforce.eventbus.protobuf.TopicInfo;
import com.salesforce.eventbus.protobuf.TopicRequest;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.salesos.pubsub.PubSubService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The org's Pub/Sub API on its own loopback port (plaintext HTTP/2; Salesforce serves it with TLS
 * at api.pubsub.salesforce.com:7443): GetTopic, GetSchema and Subscribe over the Change Data
 * Capture channels, with Salesforce's authentication headers (accesstoken: a session the sandbox
 * issued at login; instanceurl; tenantid: the org id), flow control by num_requested (at most 100
 * a request), replay presets LATEST, EARLIEST and CUSTOM, an empty keepalive response carrying the
 * latest replay id when there is nothing to deliver, and the error code trailer for a replay id
 * the bus will not resume from. Publishing to change event channels is not allowed, as in
 * Salesforce: Publish is not served.
 */
final class PubSubEndpoint implements PubSubService.Handler, AutoCloseable {

  static final int MAX_REQUESTED = 100;
  private static final Context.Key<String> USER = Context.key("sandbox-user");

  private final ChangeEventBus bus;
  private final Sessions sessions;
  private final Server server;
  private final ScheduledExecutorService pump = Executors.newSingleThreadScheduledExecutor(r -> {
    var t = new Thread(r, "sandbox-pubsub");
    t.setDaemon(true);
    return t;
  });
  private volatile Duration keepalive = Duration.ofSeconds(60);
  private volatile String instanceUrl = "";

  PubSubEndpoint(ChangeEventBus bus, Sessions sessions, int port) {
    this.bus = bus;
    this.sessions = sessions;
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .addService(ServerInterceptors.intercept(PubSubService.bind(this), new Authentication()))
        .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("the sandbox's Pub/Sub API could not listen on port " + port, e);
    }
  }

  int port() {
    return server.getPort();
  }

  void instanceUrl(String url) {
    this.instanceUrl = url;
  }

  void keepalive(Duration every) {
    this.keepalive = every;
  }

  @Override
  public void close() {
    server.shutdownNow();
    pump.shutdownNow();
  }

  /** Every call carries a live session in accesstoken, the org's id in tenantid and an instanceurl. */
  private final class Authentication implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      var token = headers.get(PubSubService.ACCESS_TOKEN);
      var tenant = headers.get(PubSubService.TENANT_ID);
      var instance = headers.get(PubSubService.INSTANCE_URL);
      var user = sessions.use(token);
      String problem = null;
      if (token == null || tenant == null || instance == null) {
        problem = "the call needs the headers accesstoken, instanceurl and tenantid";
      } else if (user.isEmpty()) {
        problem = "the access token is not a live session of this org; log in again";
      } else if (!sameOrg(tenant)) {
        problem = "tenantid " + tenant + " is not this org (" + bus.orgId() + ")";
      } else if (!instanceUrl.isEmpty() && !strip(instance).equalsIgnoreCase(instanceUrl)) {
        problem = "instanceurl " + instance + " is not this org's instance (" + instanceUrl + ")";
      }
      if (problem != null) {
        var trailers = new Metadata();
        trailers.put(PubSubService.ERROR_CODE, "sfdc.platform.eventbus.grpc.service.auth.error");
        call.close(Status.UNAUTHENTICATED.withDescription(problem + " rpcId: " + UUID.randomUUID()), trailers);
        return new ServerCall.Listener<>() {};
      }
      return Contexts.interceptCall(Context.current().withValue(USER, user.get()), call, headers, next);
    }
  }

  private static String strip(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private boolean sameOrg(String tenant) {
    var org = bus.orgId();
    return tenant.equals(org) || (tenant.length() == 15 && org.startsWith(tenant));
  }

  @Override
  public void getTopic(TopicRequest request, StreamObserver<TopicInfo> response) {
    try {
      var entity = bus.entityOf(request.getTopicName());
      // the all-entities channel mixes schemas: its topic names none
      var schemaId = entity.map(e -> ChangeEventBus.schemaId(bus.schemaOf(e))).orElse("");
      response.onNext(TopicInfo.newBuilder().setTopicName(request.getTopicName()).setTenantGuid(bus.orgId())
          .setCanPublish(false).setCanSubscribe(true).setSchemaId(schemaId).setRpcId(rpcId()).build());
      response.onCompleted();
    } catch (IllegalArgumentException e) {
      response.onError(error(Status.NOT_FOUND, "sfdc.platform.eventbus.grpc.topic.not.found",
          "no topic " + request.getTopicName() + ": change event channels are /data/ChangeEvents and "
              + "/data/<Object>ChangeEvent for the objects selected for Change Data Capture " + bus.selection()));
    }
  }

  @Override
  public void getSchema(SchemaRequest request, StreamObserver<SchemaInfo> response) {
    var json = bus.schemaJson(request.getSchemaId());
    if (json.isEmpty()) {
      response.onError(error(Status.NOT_FOUND, "sfdc.platform.eventbus.grpc.schema.not.found",
          "no schema with id " + request.getSchemaId()));
      return;
    }
    response.onNext(SchemaInfo.newBuilder().setSchemaId(request.getSchemaId()).setSchemaJson(json.get())
        .setRpcId(rpcId()).build());
    response.onCompleted();
  }

  @Override
  public StreamObserver<FetchRequest> subscribe(StreamObserver<FetchResponse> responses) {
    return new Subscription((ServerCallStreamObserver<FetchResponse>) responses);
  }

  /** One Subscribe stream: its topic, where it has delivered up to, and how many events the client still wants. */
  private final class Subscription implements StreamObserver<FetchRequest>, ChangeEventBus.Listener {
    private final ServerCallStreamObserver<FetchResponse> out;
    private final String rpcId = rpcId();
    private String topic;
    private Optional<String> entity = Optional.empty();
    private long position;
    private final AtomicInteger pending = new AtomicInteger();
    private boolean started;
    private boolean ended;
    private java.util.concurrent.ScheduledFuture<?> keepaliveTask;

    Subscription(ServerCallStreamObserver<FetchResponse> out) {
      this.out = out;
      out.setOnCancelHandler(this::end);
    }

    @Override
    public synchronized void onNext(FetchRequest r) {
      if (ended) {
        return;
      }
      if (!started) {
        if (r.getTopicName().isEmpty()) {
          fail(Status.INVALID_ARGUMENT, "sfdc.platform.eventbus.grpc.subscription.topic.invalid",
              "the first FetchRequest must name the topic");
          return;
        }
        try {
          entity = bus.entityOf(r.getTopicName());
        } catch (IllegalArgumentException e) {
          fail(Status.NOT_FOUND, "sfdc.platform.eventbus.grpc.topic.not.found", "no topic " + r.getTopicName());
          return;
        }
        topic = r.getTopicName();
        if (r.getReplayPreset() == ReplayPreset.CUSTOM) {
          var id = ChangeEventBus.decode(r.getReplayId().toByteArray());
          if (r.getReplayId().isEmpty()) {
            fail(Status.INVALID_ARGUMENT, "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.validation.failed",
                "replay preset CUSTOM needs a replay_id");
            return;
          }
          if (id.isEmpty() || !bus.resumable(id.get())) {
            fail(Status.INVALID_ARGUMENT, PubSubService.REPLAY_ID_CORRUPTED,
                "the replay id is not valid or no longer within the retention window (72 hours)");
            return;
          }
          position = id.get();
        } else if (r.getReplayPreset() == ReplayPreset.EARLIEST) {
          position = bus.earliestStart();
        } else {
          position = bus.latest();
        }
        started = true;
        bus.listen(this);
        var every = keepalive.toMillis();
        keepaliveTask = pump.scheduleAtFixedRate(this::keepaliveDue, every, every, TimeUnit.MILLISECONDS);
      } else if (!r.getTopicName().isEmpty() && !r.getTopicName().equals(topic)) {
        fail(Status.INVALID_ARGUMENT, "sfdc.platform.eventbus.grpc.subscription.topic.mismatch",
            "a FetchRequest named topic " + r.getTopicName() + " on a subscription to " + topic);
        return;
      }
      if (r.getNumRequested() <= 0) {
        fail(Status.INVALID_ARGUMENT, "sfdc.platform.eventbus.grpc.subscription.fetch.requested.events.invalid",
            "num_requested must be between 1 and " + MAX_REQUESTED + ", was " + r.getNumRequested());
        return;
      }
      pending.addAndGet(Math.min(r.getNumRequested(), MAX_REQUESTED));
      deliver(true);
    }

    @Override
    public void published() {
      pump.execute(() -> deliver(false));
    }

    private void keepaliveDue() {
      deliver(true);
    }

    /** Sends what is waiting, as far as the client asked; with {@code keepalive}, an empty response when nothing is. */
    private synchronized void deliver(boolean keepaliveWhenIdle) {
      if (ended || !started) {
        return;
      }
      if (bus.earliestStart() > position) {
        // the events after this position were purged while the subscriber was behind
        fail(Status.INVALID_ARGUMENT, PubSubService.REPLAY_ID_CORRUPTED, "events after the subscription's position expired");
        return;
      }
      int wanted = pending.get();
      var batch = wanted > 0 ? bus.after(position, entity, wanted) : java.util.List.<ChangeEventBus.Event>of();
      if (batch.isEmpty()) {
        if (keepaliveWhenIdle && bus.after(position, entity, 1).isEmpty()) {
          position = bus.latest();
          out.onNext(FetchResponse.newBuilder().setLatestReplayId(ByteString.copyFrom(ChangeEventBus.encode(position)))
              .setRpcId(rpcId).setPendingNumRequested(pending.get()).build());
        }
        return;
      }
      var response = FetchResponse.newBuilder().setRpcId(rpcId);
      for (var e : batch) {
        response.addEvents(ConsumerEvent.newBuilder()
            .setEvent(ProducerEvent.newBuilder().setId(UUID.nameUUIDFromBytes(ChangeEventBus.encode(e.replayId())).toString())
                .setSchemaId(e.schemaId()).setPayload(ByteString.copyFrom(e.payload())))
            .setReplayId(ByteString.copyFrom(ChangeEventBus.encode(e.replayId()))));
        position = e.replayId();
      }
      pending.addAndGet(-batch.size());
      out.onNext(response.setLatestReplayId(ByteString.copyFrom(ChangeEventBus.encode(position)))
          .setPendingNumRequested(pending.get()).build());
    }

    @Override
    public void dropped(String why) {
      fail(Status.UNAVAILABLE, "sfdc.platform.eventbus.grpc.service.unavailable", why);
    }

    private synchronized void fail(Status status, String code, String message) {
      if (ended) {
        return;
      }
      end();
      out.onError(error(status, code, message));
    }

    @Override
    public void onError(Throwable t) {
      end();
    }

    @Override
    public synchronized void onCompleted() {
      if (!ended) {
        end();
        out.onCompleted();
      }
    }

    private synchronized void end() {
      ended = true;
      bus.unlisten(this);
      if (keepaliveTask != null) {
        keepaliveTask.cancel(false);
      }
    }
  }

  private static StatusRuntimeException error(Status status, String code, String message) {
    var trailers = new Metadata();
    trailers.put(PubSubService.ERROR_CODE, code);
    return status.withDescription(message + " rpcId: " + rpcId()).asRuntimeException(trailers);
  }

  private static String rpcId() {
    return UUID.randomUUID().toString();
  }
}
