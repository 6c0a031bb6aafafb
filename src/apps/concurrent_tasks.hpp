#pragma once
// Independent registrations at once (the frames of a tracking, the subjects of an
// atlas iteration): a pool of threads, one task each at a time, and an observer that
// lets their reports through one at a time.
#include "alinea/registration_observer.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <omp.h>
#include <thread>
#include <vector>

namespace alinea {

// Runs task(0 .. count-1): with one worker in order using every thread; else on
// `workers` threads, one task each at a time, each task single-threaded (a
// registration's result does not depend on its thread count, so neither does the
// application's). After a failure no new task starts; once the running ones have
// ended, the first failure by task index is rethrown, a real one before a
// cancellation (the tasks that a failure made give up throw Cancelled).
template <class Task>
void run_tasks(std::size_t count, int workers, Task&& task) {
    if (workers <= 1 || count <= 1) {
        for (std::size_t i = 0; i < count; ++i) task(i);
        return;
    }
    std::vector<std::exception_ptr> failures(count);
    std::vector<char> cancelled(count, 0);
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::vector<std::thread> pool;
    for (int w = 0; w < std::min<int>(workers, static_cast<int>(count)); ++w)
        pool.emplace_back([&] {
            omp_set_num_threads(1);
            for (std::size_t i; !failed && (i = next++) < count;) try {
                    task(i);
                } catch (const Cancelled&) {
                    failures[i] = std::current_exception(), cancelled[i] = 1, failed = true;
                } catch (...) {
                    failures[i] = std::current_exception(), failed = true;
                }
        });
    for (std::thread& t : pool) t.join();
    for (std::size_t i = 0; i < count; ++i)
        if (failures[i] && !cancelled[i]) std::rethrow_exception(failures[i]);
    for (const std::exception_ptr& f : failures)
        if (f) std::rethrow_exception(f);
}

// Forwards the registration reports of concurrent tasks to `inner` one at a time.
// Base is the application's observer class; it adds its own locked forwards.
template <class Base>
class LockedObserver : public Base {
public:
    explicit LockedObserver(Base& inner) : inner_(inner) {}
    void stage_started(int stage, int stages, const std::string& description) override {
        const std::lock_guard lock(mutex_);
        inner_.stage_started(stage, stages, description);
    }
    void iteration_done(const IterationEvent& e) override {
        const std::lock_guard lock(mutex_);
        inner_.iteration_done(e);
    }
    void level_done(const LevelReport& r) override {
        const std::lock_guard lock(mutex_);
        inner_.level_done(r);
    }
    bool stop_requested() override {
        const std::lock_guard lock(mutex_);
        return inner_.stop_requested();
    }

protected:
    Base& inner_;
    std::mutex mutex_;
};

}  // namespace alinea
