#include "store/postgres_connection.h"

#include <libpq-fe.h>
#include <poll.h>


namespace switchyard::store {

using Clock = std::chrono::steady_clock;

namespace {

GatewayError unavailable(std::string message) {
  return make_error(ErrorKind::unavailable, "PostgreSQL: " + std::move(message), "ledger_unavailable");
}

// Waits until the connection's socket is ready for `events`, or the deadline passes.
bool wait_for_socket(pg_conn* conn, short events, Clock::time_point deadline) {
  int socket = PQsocket(conn);
  if (socket < 0) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return false;
  pollfd descriptor{socket, events, 0};
  int ready = ::poll(&descriptor, 1, static_cast<int>(left));
  return ready > 0;
}

std::string error_text(pg_conn* conn) {
  std::string text = conn ? PQerrorMessage(conn) : "out of memory";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

PostgresConnection::PostgresConnection(std::string conninfo, std::chrono::milliseconds timeout)
    : conninfo_(std::move(conninfo)), timeout_(timeout) {}

PostgresConnection::~PostgresConnection() { drop(); }

void PostgresConnection::drop() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
}

Status PostgresConnection::connect() {
  if (conn_ && PQstatus(conn_) == CONNECTION_OK) return Done{};
  drop();
  Clock::time_point deadline = Clock::now() + timeout_;
  conn_ = PQconnectStart(conninfo_.c_str());
  if (!conn_ || PQstatus(conn_) == CONNECTION_BAD) {
    std::string problem = error_text(conn_);
    drop();
    return unavailable("cannot connect: " + problem);
  }
  // PQconnectPoll's dance: wait for what it asks for until it says OK or FAILED.
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK) {
    if (status == PGRES_POLLING_FAILED) {
      std::string problem = error_text(conn_);
      drop();
      return unavailable("cannot connect: " + problem);
    }
    short events = status == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    if (!wait_for_socket(conn_, events, deadline)) {
      drop();
      return unavailable("connecting timed out");
    }
    status = PQconnectPoll(conn_);
  }
  // Notices (a CREATE ... IF NOT EXISTS that found it) are not errors: libpq would print them.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  if (PQsetnonblocking(conn_, 1) != 0) {
    drop();
    return unavailable("cannot use the connection without blocking");
  }
  return Done{};
}

Result<PgRows> PostgresConnection::query(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
  if (Status connected = connect(); !connected) return connected.take_error();
  Clock::time_point deadline = Clock::now() + timeout_;
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
  int sent = params.empty() ? PQsendQuery(conn_, sql.c_str())
                            : PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                                values.data(), nullptr, nullptr, 0);
  if (!sent) {
    std::string problem = error_text(conn_);
    drop();
    return unavailable("cannot send: " + problem);
  }
  return finish(deadline);
}

Status PostgresConnection::copy_in(const std::string& copy, std::string_view data) {
  if (Status connected = connect(); !connected) return connected.take_error();
  Clock::time_point deadline = Clock::now() + timeout_;
  if (!PQsendQuery(conn_, copy.c_str())) {
    std::string problem = error_text(conn_);
    drop();
    return unavailable("cannot send: " + problem);
  }
  // The server answers COPY IN first; then the data goes out, then its end.
  for (;;) {
    int flushed = PQflush(conn_);  // 1: some of the command is still to go out
    if (flushed >= 0 && !PQisBusy(conn_)) break;
    if (flushed < 0 || !wait_for_socket(conn_, flushed ? POLLIN | POLLOUT : POLLIN, deadline) || !PQconsumeInput(conn_)) {
      drop();
      return unavailable("the copy did not start");
    }
  }
  pg_result* start = PQgetResult(conn_);
  bool copying = start && PQresultStatus(start) == PGRES_COPY_IN;
  std::string refusal = start && !copying ? PQresultErrorMessage(start) : "";
  PQclear(start);
  if (!copying) {
    // Read what is left of the command, so the connection can serve the next one.
    (void)finish(deadline);
    return unavailable(refusal.empty() ? "the copy did not start" : refusal);
  }
  auto put = [&](auto send) {
    for (;;) {
      int sent = send();
      if (sent == 1) return true;
      if (sent < 0 || !wait_for_socket(conn_, POLLOUT, deadline)) return false;  // 0: would block
    }
  };
  bool sent = put([&] { return PQputCopyData(conn_, data.data(), static_cast<int>(data.size())); }) &&
              put([&] { return PQputCopyEnd(conn_, nullptr); });
  if (!sent) {
    drop();
    return unavailable("cannot send the copy's data: " + error_text(conn_));
  }
  auto result = finish(deadline);
  if (!result) return result.take_error();
  return Done{};
}

Result<PgRows> PostgresConnection::finish(Clock::time_point deadline) {
  // Push the command out, then read until every result is in, each wait bounded by the deadline.
  for (int flushed = PQflush(conn_); flushed != 0; flushed = PQflush(conn_)) {
    if (flushed < 0 || !wait_for_socket(conn_, POLLIN | POLLOUT, deadline)) {
      drop();
      return unavailable(flushed < 0 ? "cannot send: " + error_text(conn_) : "sending timed out");
    }
    if (!PQconsumeInput(conn_)) break;
  }
  PgRows out;
  std::optional<GatewayError> failure;
  for (;;) {
    while (PQisBusy(conn_)) {
      if (!wait_for_socket(conn_, POLLIN, deadline) || !PQconsumeInput(conn_)) {
        std::string problem = Clock::now() >= deadline ? "the query timed out" : error_text(conn_);
        drop();  // a query still running would answer into the next one: start afresh
        return unavailable(problem);
      }
    }
    pg_result* result = PQgetResult(conn_);
    if (!result) break;
    ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
      out.rows.clear();
      int rows = PQntuples(result), columns = PQnfields(result);
      for (int r = 0; r < rows; ++r) {
        std::vector<std::optional<std::string>> row;
        row.reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) {
          if (PQgetisnull(result, r, c)) row.emplace_back(std::nullopt);
          else row.emplace_back(std::string(PQgetvalue(result, r, c), static_cast<std::size_t>(PQgetlength(result, r, c))));
        }
        out.rows.push_back(std::move(row));
      }
      const char* affected = PQcmdTuples(result);
      out.affected = affected && *affected ? std::stoll(affected) : 0;
    } else if (!failure) {
      const char* message = PQresultErrorMessage(result);
      failure = unavailable(message && *message ? std::string(message) : "the query failed");
    }
    PQclear(result);
  }
  if (PQstatus(conn_) != CONNECTION_OK) drop();
  if (failure) return *failure;
  return out;
}

}  // namespace switchyard::store
