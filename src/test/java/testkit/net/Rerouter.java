package testkit.net;

import akka.actor.typed.ActorRef;

/**
 * Teaches the network one request protocol: how to point a request's reply address at the
 * network (so replies can be dropped or delayed like requests) and where the reply really goes.
 */
public interface Rerouter<Req> {

  /**
   * The request with its {@code replyTo} replaced by {@code via}, and the original reply address
   * ({@code null} for a request without reply).
   */
  Rerouted<Req> reroute(Req request, ActorRef<Object> via);

  record Rerouted<Req>(Req request, ActorRef<Object> replyTo) {}
}
