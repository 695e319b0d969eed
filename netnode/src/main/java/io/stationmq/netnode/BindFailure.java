package io.stationmq.netnode;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import zmq.ZError;

/**
 * Why a TCP bind failed, in words a user can act on. JeroMQ reports an address this machine
 * does not have as "Address already in use", so the address is checked here before the error
 * code is believed. Stateless.
 */
final class BindFailure {
  private BindFailure() {}

  /** The reason {@code endpoint} ({@code tcp://HOST:PORT}) could not be bound with JeroMQ's {@code errorCode}. */
  static String explain(String endpoint, int errorCode) {
    String zmq = ZError.toString(errorCode);
    int colon = endpoint.lastIndexOf(':');
    if (!endpoint.startsWith("tcp://") || colon < "tcp://".length()) {
      return zmq;
    }
    String host = endpoint.substring("tcp://".length(), colon);
    String port = endpoint.substring(colon + 1);
    boolean any = host.equals("*") || host.equals("0.0.0.0");
    if (!any) {
      try {
        InetAddress address = InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        if (!address.isAnyLocalAddress() && !address.isLoopbackAddress()
            && NetworkInterface.getByInetAddress(address) == null) {
          return host + " is not an address of this machine (bind one of its addresses, 127.0.0.1, or *)";
        }
      } catch (UnknownHostException e) {
        return "'" + host + "' is not a known host name or address";
      } catch (SocketException e) {
        return zmq;
      }
    }
    if (errorCode == ZError.EADDRINUSE) {
      return "port " + port + " is already in use" + (any ? "" : " on " + host)
          + " (another Station? choose another port, or 0 for any free one)";
    }
    return zmq;
  }
}
