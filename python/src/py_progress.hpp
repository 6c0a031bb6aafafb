#pragma once
// What every long call of the module shares: the library's work runs on a thread of
// its own while Python's thread waits without the GIL, polling for Ctrl-C every 50 ms
// (Python runs signal handlers on its main thread only, and the applications call
// their observers from worker threads); progress events go to a Python callable; a
// KeyboardInterrupt, or an exception raised by the callable, cancels the work and is
// raised again once it has stopped.
#include "alinea/error.hpp"
#include "alinea/parallel.hpp"
#include "alinea/registration_observer.hpp"

#include <pybind11/pybind11.h>

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

namespace alinea::python {

namespace py = pybind11;

class PythonProgress {
public:
    explicit PythonProgress(py::object callback) : callback_(std::move(callback)) {}
    PythonProgress(const PythonProgress&) = delete;
    ~PythonProgress() {
        py::gil_scoped_acquire gil;
        error_.reset();
        callback_ = py::object();
    }

    // From any thread, without the GIL: make(), then the callable, with the GIL.
    template <class MakeEvent>
    void report(MakeEvent&& make) {
        if (callback_.is_none() || stop_) return;
        py::gil_scoped_acquire gil;
        try {
            callback_(make());
        } catch (py::error_already_set& e) {
            keep(std::move(e));
        }
    }
    bool stopping() const { return stop_; }

    // work() with `threads` threads (0: all cores; results do not depend on it). Call with the GIL.
    template <class Work>
    auto run(Work&& work, int threads) -> decltype(work()) {
        std::optional<decltype(work())> result;
        std::exception_ptr failure;
        {
            py::gil_scoped_release release;
            std::mutex m;
            std::condition_variable finished;
            bool done = false;
            std::thread worker([&] {
                try {
                    set_thread_count(threads);  // OpenMP's thread count belongs to the calling thread
                    result.emplace(work());
                } catch (...) {
                    failure = std::current_exception();
                }
                std::lock_guard lock(m);
                done = true;
                finished.notify_all();
            });
            std::unique_lock lock(m);
            while (!finished.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) {
                lock.unlock();
                {
                    py::gil_scoped_acquire gil;
                    if (PyErr_CheckSignals() != 0) keep(py::error_already_set());
                }
                lock.lock();
            }
            lock.unlock();
            worker.join();
        }
        if (error_) {
            py::error_already_set e = std::move(*error_);
            error_.reset();
            throw e;
        }
        if (failure) std::rethrow_exception(failure);
        return std::move(*result);
    }

private:
    void keep(py::error_already_set&& e) {  // with the GIL
        if (!error_) error_.emplace(std::move(e));
        stop_ = true;
    }

    py::object callback_;
    std::optional<py::error_already_set> error_;
    std::atomic<bool> stop_{false};
};

// A library observer (RegistrationObserver or an application's) that reports the
// registrations' events as dicts and stops when PythonProgress says so.
template <class Base>
class ObserverOf : public Base {
public:
    explicit ObserverOf(PythonProgress& progress) : progress_(progress) {}

    void stage_started(int stage, int stages, const std::string& description) override {
        using namespace pybind11::literals;
        progress_.report([&] {
            return py::dict("event"_a = "stage", "stage"_a = stage, "stages"_a = stages, "description"_a = description);
        });
    }
    void iteration_done(const IterationEvent& e) override {
        using namespace pybind11::literals;
        progress_.report([&] {
            return py::dict("event"_a = "iteration", "stage"_a = e.stage, "stages"_a = e.stages, "level"_a = e.level,
                            "levels"_a = e.levels, "iteration"_a = e.iteration, "max_iterations"_a = e.max_iterations,
                            "value"_a = e.value, "level_seconds"_a = e.level_seconds);
        });
    }
    void level_done(const LevelReport& r) override {
        using namespace pybind11::literals;
        progress_.report([&] {
            return py::dict("event"_a = "level", "stage"_a = r.stage, "level"_a = r.level, "levels"_a = r.levels,
                            "model"_a = r.model, "metric"_a = r.metric, "iterations"_a = r.result.iterations,
                            "value"_a = r.result.value, "stop_reason"_a = r.result.stop_reason, "seconds"_a = r.seconds);
        });
    }
    bool stop_requested() override { return progress_.stopping(); }

protected:
    PythonProgress& progress_;
};

// None: all cores; else 1 to 4 x the cores (checked by set_thread_count).
inline int thread_count(const py::object& threads) { return threads.is_none() ? 0 : threads.cast<int>(); }

}  // namespace alinea::python
