"""Uncaught exceptions in slots, QThreads and Python threads are logged and reported on the
GUI thread; the application keeps running."""

import threading

import pytest
from PySide6.QtCore import QObject, QThread, QTimer, Signal


class Boom(QObject):
    fire = Signal()


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_slot_is_reported(qtbot, reporter):
    boom = Boom()
    boom.fire.connect(lambda: 1 / 0)
    QTimer.singleShot(0, boom.fire.emit)
    qtbot.waitUntil(lambda: reporter.last_error is not None, timeout=5000)
    assert "ZeroDivisionError" in reporter.last_error[0]
    assert "Traceback" in reporter.last_error[1]
    assert "ZeroDivisionError" in reporter.log_path.read_text()


class FailingThread(QThread):
    def run(self):
        raise ValueError("worker failed")


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_qthread_reaches_the_gui_thread(qtbot, reporter):
    received = []
    reporter.error_reported.connect(lambda s, d: received.append(threading.current_thread()))
    thread = FailingThread()
    thread.start()
    qtbot.waitUntil(lambda: reporter.last_error is not None, timeout=5000)
    thread.wait(5000)
    assert "worker failed" in reporter.last_error[0]
    assert received[0] is threading.main_thread()  # marshalled, not shown from the worker


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_python_thread_is_reported(qtbot, reporter):
    def work():
        raise RuntimeError("thread failed")

    t = threading.Thread(target=work, name="helper-thread")
    t.start()
    t.join()
    qtbot.waitUntil(lambda: reporter.last_error is not None, timeout=5000)
    assert "thread failed" in reporter.last_error[0] and "helper-thread" in reporter.last_error[0]
