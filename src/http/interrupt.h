// Stops what one coroutine is waiting for, from outside it: a request whose client left (the
// server's ClientWatch interrupts it), a hedge's racer that lost. Whoever waits hooks how to
// stop its wait (close the socket, cancel the timer) for as long as it waits; interrupt()
// runs that at once, synchronously, and marks the interrupt, so every later step sees it and
// stops too. Costs nothing until used: no per-operation cancellation slot, which asio's
// cancellation would bind to every socket operation of a session.
//
// Single-threaded: the coroutine and whoever interrupts it run on the same io_context.
#pragma once

#include <utility>

namespace switchyard::http {

class Interrupt {
 public:
  Interrupt() = default;
  Interrupt(const Interrupt&) = delete;
  Interrupt& operator=(const Interrupt&) = delete;

  bool interrupted() const { return interrupted_; }

  // Stops the hooked wait, if any, and marks every wait after it.
  void interrupt() {
    interrupted_ = true;
    if (stop_) std::exchange(stop_, nullptr)(std::exchange(target_, nullptr));
  }

  // A new start (the next request on the connection).
  void reset() {
    interrupted_ = false;
    stop_ = nullptr;
    target_ = nullptr;
  }

  // For as long as it lives, interrupt() stops `target` with `stop`. A null interrupt hooks
  // nothing (nobody will interrupt this wait).
  class Hook {
   public:
    Hook(Interrupt* interrupt, void* target, void (*stop)(void*)) : interrupt_(interrupt), target_(target) {
      if (interrupt_) {
        interrupt_->stop_ = stop;
        interrupt_->target_ = target;
      }
    }
    ~Hook() {
      if (interrupt_ && interrupt_->target_ == target_) {
        interrupt_->stop_ = nullptr;
        interrupt_->target_ = nullptr;
      }
    }
    Hook(const Hook&) = delete;
    Hook& operator=(const Hook&) = delete;

   private:
    Interrupt* interrupt_;
    void* target_;
  };

 private:
  bool interrupted_ = false;
  void (*stop_)(void*) = nullptr;
  void* target_ = nullptr;
};

}  // namespace switchyard::http
