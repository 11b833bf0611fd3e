# The rehearsal's fake model and speech servers (deploy/rehearsal/fakes.py).
FROM rehearsal/python:3.13-slim
RUN pip install --no-cache-dir aiosmtpd==1.4.6
COPY fakes.py /srv/fakes.py
ENV PYTHONUNBUFFERED=1
EXPOSE 8080
CMD ["python3", "/srv/fakes.py"]
